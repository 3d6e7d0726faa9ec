import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { batchCap, batchSize, candidateOrder, planBatchSizes, planRemainingBatches, selectNextBatch } from '../../../src/domain/batchPlan.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `worker-${i + 1}`);

describe('batchPlan', () => {
  describe('planBatchSizes', () => {
    it('ramps 1, 2 then stays at the 10% cap for 20 workers', () => {
      expect(planBatchSizes(20, 20)).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1]);
    });
    it('doubles up to the cap on a large cluster', () => {
      expect(planBatchSizes(120, 120).slice(0, 6)).toEqual([1, 2, 4, 8, 12, 12]);
    });
    it('keeps at least 1 node per batch on a small cluster', () => {
      expect(planBatchSizes(3, 3)).toEqual([1, 1, 1]);
    });
    it('starts the ramp again at 1 after a resume', () => {
      expect(planBatchSizes(7, 120, 0)).toEqual([1, 2, 4]);
    });

    it('sums to the workers left, never exceeds the cap, and doubles until the cap (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 5000 }), (workerCount, leftRaw) => {
          const left = Math.min(leftRaw, workerCount);
          const sizes = planBatchSizes(left, workerCount);
          const cap = batchCap(workerCount);
          expect(sizes.reduce((a, b) => a + b, 0)).toBe(left);
          expect(sizes.every((s) => s >= 1 && s <= cap)).toBe(true);
          expect(cap).toBeLessThanOrEqual(Math.max(1, workerCount / 10));
          // every batch but the last is exactly min(2^i, cap)
          sizes.slice(0, -1).forEach((s, i) => expect(s).toBe(Math.min(2 ** i, cap)));
        }),
      );
    });
  });

  it('batchSize is min(2^i, 10% of workers, at least 1)', () => {
    expect([0, 1, 2, 3, 4].map((i) => batchSize(i, 100))).toEqual([1, 2, 4, 8, 10]);
    expect(batchSize(5, 5)).toBe(1);
  });

  describe('selectNextBatch', () => {
    it('is deterministic for the same upgrade and independent of input order', () => {
      const a = selectNextBatch({ pending: names(50), retryFirst: [], workerCount: 50, rampIndex: 2, seed: 'c1', targetVersion: '1.31.2' });
      const b = selectNextBatch({ pending: names(50).reverse(), retryFirst: [], workerCount: 50, rampIndex: 2, seed: 'c1', targetVersion: '1.31.2' });
      expect(a).toEqual(b);
      expect(a).toHaveLength(4); // ramp position 2 → 4 nodes, under the cap of 5
    });
    it('retries failed nodes first', () => {
      const batch = selectNextBatch({ pending: names(30), retryFirst: ['worker-17'], workerCount: 30, rampIndex: 0, seed: 'c1', targetVersion: '1.31.2' });
      expect(batch).toEqual(['worker-17']);
    });
    it('ignores a failed node that is no longer pending', () => {
      const batch = selectNextBatch({ pending: ['worker-1'], retryFirst: ['worker-9'], workerCount: 30, rampIndex: 0, seed: 'c1', targetVersion: '1.31.2' });
      expect(batch).toEqual(['worker-1']);
    });
  });

  it('planRemainingBatches covers every pending worker exactly once, in the order selectNextBatch picks', () => {
    const pending = names(25);
    const plan = planRemainingBatches({ pending, retryFirst: ['worker-3'], workerCount: 25, rampIndex: 0, seed: 'c9', targetVersion: '1.31.0' });
    expect(plan.map((b) => b.length)).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(plan.flat().sort()).toEqual([...pending].sort());
    expect(plan[0]).toEqual(['worker-3']);
    expect(
      candidateOrder(
        pending.filter((n) => n !== 'worker-3'),
        'c9',
        '1.31.0',
      ).slice(0, 2),
    ).toEqual(plan[1]);
  });
});

describe('replanFromStart', () => {
  it('puts failed nodes first and cuts the rest again with the ramp at 1', async () => {
    const { replanFromStart } = await import('../../../src/domain/batchPlan.js');
    const left = [
      ['w5', 'w6', 'w7', 'w8'],
      ['w9', 'w10', 'w11', 'w12'],
    ];
    expect(replanFromStart(left, ['w2'], 100)).toEqual([['w2'], ['w5', 'w6'], ['w7', 'w8', 'w9', 'w10'], ['w11', 'w12']]);
  });
});
