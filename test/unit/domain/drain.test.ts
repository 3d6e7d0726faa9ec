import { describe, expect, it } from '@jest/globals';
import { judgeDrain } from '../../../src/domain/drain.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

describe('judgeDrain', () => {
  it('waits for a blocked drain until the timeout', () => {
    expect(
      judgeDrain({
        done: false,
        remaining: ['a/p'],
        blockers: [{ pod: 'a/p', pdb: 'zero', message: '' }],
        startedAt: at(0),
        now: at(10),
        timeoutSeconds: 30,
        node: 'w1',
      }),
    ).toEqual({ kind: 'wait' });
  });
  it('names the blocking PDB and pod after the timeout', () => {
    const v = judgeDrain({
      done: false,
      remaining: ['a/p'],
      blockers: [{ pod: 'a/p', pdb: 'zero', message: '' }],
      startedAt: at(0),
      now: at(31),
      timeoutSeconds: 30,
      node: 'w1',
    });
    expect(v.kind).toBe('timeout');
    expect(v.kind === 'timeout' && v.message).toMatch(/PodDisruptionBudget zero blocks eviction of pod a\/p/);
  });
  it('is done when nothing is left', () => {
    expect(judgeDrain({ done: true, remaining: [], blockers: [], startedAt: at(0), now: at(99), timeoutSeconds: 1, node: 'w1' })).toEqual({ kind: 'done' });
  });
});
