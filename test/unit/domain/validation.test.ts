import { describe, expect, it } from '@jest/globals';
import {
  findValidationProblems,
  judgeValidation,
  newWorkloadGaps,
  nextValidationLookSeconds,
  workloadBaseline,
  type ValidationState,
} from '../../../src/domain/validation.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const limits = (now: number) => ({ now: at(now), soakSeconds: 10, timeoutSeconds: 60 });
const start: ValidationState = { batch: 4, since: at(0), passes: 0 };

describe('validation', () => {
  describe('judgeValidation', () => {
    it('needs two healthy looks a soak apart', () => {
      const first = judgeValidation(start, [], limits(1));
      expect(first).toEqual({ kind: 'wait', state: expect.objectContaining({ passes: 1, lastPassAt: at(1) }) });
      const tooSoon = judgeValidation((first as { state: ValidationState }).state, [], limits(5));
      expect(tooSoon.kind).toBe('wait');
      expect(judgeValidation((first as { state: ValidationState }).state, [], limits(11))).toEqual({ kind: 'passed' });
    });

    it('does not pass a flapping node: an unhealthy look between two healthy ones starts the count again', () => {
      const first = (judgeValidation(start, [], limits(1)) as { state: ValidationState }).state;
      const flap = judgeValidation(first, ['node worker-3 was Ready before the batch and is not Ready now'], limits(12));
      expect(flap).toEqual({ kind: 'wait', state: expect.objectContaining({ passes: 0 }) });
      const again = judgeValidation((flap as { state: ValidationState }).state, [], limits(24));
      expect(again).toEqual({ kind: 'wait', state: expect.objectContaining({ passes: 1 }) });
    });

    it('fails with what is wrong once the timeout has passed', () => {
      const v = judgeValidation(start, ['ReplicaSet default/web has 3 of 4 pods ready'], limits(61));
      expect(v.kind).toBe('failed');
      expect(v.kind === 'failed' && v.message).toContain('ReplicaSet default/web has 3 of 4 pods ready');
    });
  });

  describe('nextValidationLookSeconds', () => {
    const once: ValidationState = { batch: 4, since: at(0), passes: 1, lastPassAt: at(1), problems: [] };
    const look = (state: ValidationState, now: number, soakSeconds: number, pollSeconds = 30) =>
      nextValidationLookSeconds(state, { now: at(now), soakSeconds, pollSeconds });

    it('healthy once, the second look comes when the soak is over, not at the first poll past it', () => {
      expect(look(once, 1, 45)).toBe(30); // never more than a poll: a pause or cancel is seen as soon as before
      expect(look(once, 31, 45)).toBe(15);
      expect(nextValidationLookSeconds(once, { now: '2026-01-01T00:00:40.200Z', soakSeconds: 45, pollSeconds: 30 })).toBe(6); // whole seconds, rounded up
      expect(look(once, 50, 45)).toBe(0); // already due
    });

    it('with no soak the second look is the next step: a wait of 0 s, still a read of its own', () => {
      expect(look(once, 1, 0, 1)).toBe(0);
      // and the look it takes must pass on its own: judgeValidation counts it as the second
      expect(judgeValidation(once, [], { now: at(1), soakSeconds: 0, timeoutSeconds: 60 })).toEqual({ kind: 'passed' });
    });

    it('not healthy yet (or not looked at yet), it looks again a poll later', () => {
      expect(look(start, 1, 0, 1)).toBe(1);
      expect(look({ ...start, problems: ['node w3 is gone'] }, 5, 0, 30)).toBe(30);
    });
  });

  describe('findValidationProblems', () => {
    const nodes = [
      { name: 'w1', ready: true, kubeletVersion: '1.31.2' },
      { name: 'w2', ready: false, kubeletVersion: '1.31.2' },
      { name: 'w3', ready: false, kubeletVersion: '1.30.4' },
      { name: 'w4', ready: false, kubeletVersion: '1.30.4' },
      { name: 'w5', ready: true, kubeletVersion: '1.30.4' },
    ];
    it('names upgraded nodes not Ready or not at the target, newly NotReady nodes, and workloads not back', () => {
      const problems = findValidationProblems(
        { nodes, workloadGaps: [{ name: 'default/web', ready: 3, desired: 4 }] },
        { upgraded: ['w1', 'w2', 'w5'], target: '1.31.2', notReadyBefore: ['w4'] },
      );
      expect(problems).toEqual([
        'upgraded node w2 is not Ready',
        'upgraded node w5 runs kubelet 1.30.4, not 1.31.2',
        'node w3 was Ready before the batch and is not Ready now',
        'ReplicaSet default/web has 3 of 4 pods ready',
      ]);
    });
    it('does not hold against a batch a ReplicaSet already short when it started, unless it lost ready pods', () => {
      const gaps = [
        { name: 'default/stuck', ready: 1, desired: 2 },
        { name: 'default/worse', ready: 1, desired: 3 },
        { name: 'default/web', ready: 3, desired: 4 },
      ];
      const problems = findValidationProblems(
        { nodes: [nodes[0]!], workloadGaps: gaps },
        {
          upgraded: ['w1'],
          target: '1.31.2',
          notReadyBefore: [],
          workloadsShortBefore: [
            { name: 'default/stuck', ready: 1 },
            { name: 'default/worse', ready: 2 },
          ],
        },
      );
      expect(problems).toEqual(['ReplicaSet default/worse has 1 of 3 pods ready (2 before the batch)', 'ReplicaSet default/web has 3 of 4 pods ready']);
    });
    it('records as the baseline each short ReplicaSet with its ready pods', () => {
      expect(workloadBaseline([{ name: 'default/stuck', ready: 1, desired: 2 }])).toEqual([{ name: 'default/stuck', ready: 1 }]);
      // more ready pods than before (it recovered, or was scaled up) is no loss
      expect(newWorkloadGaps([{ name: 'default/stuck', ready: 2, desired: 4 }], [{ name: 'default/stuck', ready: 1 }])).toEqual([]);
    });
    it('finds nothing in a healthy cluster', () => {
      expect(findValidationProblems({ nodes: [nodes[0]!], workloadGaps: [] }, { upgraded: ['w1'], target: '1.31.2', notReadyBefore: [] })).toEqual([]);
    });
  });
});
