import { describe, expect, it } from '@jest/globals';
import { OUTBOX_LIMIT, pendingChanges, withStatusChange } from '../../../src/domain/outbox.js';
import type { Upgrade } from '../../../src/domain/upgrade.js';
import { newUpgrade } from '../../../src/upgrades/newUpgrade.js';

const created = newUpgrade({ id: 'upg-1', clusterId: 'c1', fromVersion: '1.30.4', toVersion: '1.31.10', now: '2025-06-07T10:00:00.000Z' });

describe('the outbox: status changes written with the status, each under a stable id', () => {
  it('adds one change per status change, numbered, and none for a write that keeps the status', () => {
    const first = withStatusChange(undefined, created);
    const same = withStatusChange(first, { ...first, rampIndex: 1 });
    const paused = withStatusChange(same, { ...same, status: 'pausing' });
    expect(same.outbox).toEqual(first.outbox);
    expect(pendingChanges(paused).map((c) => [c.id, c.from, c.to])).toEqual([
      ['upg-1:1', null, 'running'],
      ['upg-1:2', 'running', 'pausing'],
    ]);
  });

  it('keeps at most OUTBOX_LIMIT undelivered changes: the oldest go first, and are counted', () => {
    let u: Upgrade = withStatusChange(undefined, created);
    for (let i = 0; i < OUTBOX_LIMIT + 4; i++) u = withStatusChange(u, { ...u, status: u.status === 'running' ? 'pausing' : 'running' });
    const pending = pendingChanges(u);
    expect(pending).toHaveLength(OUTBOX_LIMIT);
    expect(pending[0]!.id).toBe('upg-1:6');
    expect(pending.at(-1)!.id).toBe(`upg-1:${OUTBOX_LIMIT + 5}`);
    expect(u.outboxDropped).toBe(5);
  });
});
