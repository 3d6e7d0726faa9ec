import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setMaintenanceWindow } from '../../src/store/clusters.js';
import { listEvents } from '../../src/store/events.js';
import { startUpgrade } from '../../src/upgrades/control.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

describe('a maintenance window', () => {
  let stack: TestStack;
  // The clock the phases read: Wednesday noon UTC, outside a weekend window.
  let clock = Date.parse('2026-11-25T12:00:00Z');
  beforeAll(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 6, upgradeMs: 50 }, now: () => new Date(clock).toISOString() });
    await setMaintenanceWindow(
      stack.db,
      stack.clusterId,
      { days: ['sat', 'sun'], start: '01:00', end: '05:00', timeZone: 'UTC' },
      new Date(clock).toISOString(),
    );
  });
  afterAll(async () => stack?.stop());

  it('holds worker batches back outside it, shows the wait, and releases them when it opens', async () => {
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-window', targetVersion: '1.31.10' });
    // the wait shows as the upgrade's own (it was waitingForWindow: {since, nextStart} before the contract of issue 17)
    const waiting = await stack.waitForUpgrade(u.id, (x) => x.waitingFor?.gate === 'maintenance-window');
    expect(waiting.waitingFor).toMatchObject({ reason: 'MaintenanceWindow', since: '2026-11-25T12:00:00.000Z', until: '2026-11-28T01:00:00.000Z' });
    expect(waiting.phase).toBe('nodes');
    // it keeps waiting: several polls later still no worker batch
    await new Promise((r) => setTimeout(r, 500));
    const still = await stack.upgrade(u.id);
    expect(still).toMatchObject({ status: 'running', workerBatches: 0, nodes: { upgraded: 0 } });

    // Saturday 01:30 UTC: inside the window
    clock = Date.parse('2026-11-28T01:30:00Z');
    const done = await stack.waitForUpgrade(u.id, (x) => x.status !== 'running');
    expect(done.status).toBe('succeeded');
    expect(done.waitingFor).toBeUndefined();
    expect((await listEvents(stack.db, u.id)).filter((e) => e.type === 'WaitingForWindow')).toHaveLength(1);
  });
});
