import { describe, expect, it } from '@jest/globals';
import { MAX_TIMED_WAIT_SECONDS, nextBatchPollSeconds, shortestJobSeconds } from '../../../src/domain/pollTiming.js';
import type { NodeProgress } from '../../../src/domain/upgrade.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + s * 1000).toISOString();
const inJob = (name: string, startedAt: number, over: Partial<NodeProgress> = {}): NodeProgress => ({
  name,
  role: 'worker',
  step: 'upgrading',
  jobStartedAt: at(startedAt),
  waitingFor: { reason: 'JobRunning', message: '', since: at(startedAt) },
  ...over,
});
const poll = (nodes: NodeProgress[], now: number, expectedJobSeconds?: number, pollSeconds = 1, nodeUpgradeTimeoutSeconds = 3600) =>
  nextBatchPollSeconds(nodes, { now: at(now), pollSeconds, nodeUpgradeTimeoutSeconds, ...(expectedJobSeconds !== undefined ? { expectedJobSeconds } : {}) });

describe('nextBatchPollSeconds: the next look at a batch in flight', () => {
  it('with every node in its Job, one wait to when the last is expected to finish, not a poll at a time', () => {
    expect(poll([inJob('w1', 0), inJob('w2', 0.4)], 0.2, 10)).toBe(11); // 10.2 s, rounded up to the Wait state's whole seconds
    expect(poll([inJob('w1', 0), inJob('w2', 0.4)], 1.5, 10)).toBe(9);
    expect(poll([inJob('w1', 0)], 9.5, 10)).toBe(1);
    expect(poll([inJob('w1', 0)], 0, 240, 30)).toBe(240); // longer than a poll: no look in between would change anything
  });

  it('past the expected end, looks close together that spread out again up to a poll: a late Job costs a few polls', () => {
    const late = (now: number) => poll([inJob('w1', 0)], now, 60, 30);
    expect([60.2, 61, 62.5, 64, 68, 76, 92, 200].map(late)).toEqual([1, 1, 3, 4, 8, 16, 30, 30]);
    expect(poll([inJob('w1', 0)], 12, 10, 1)).toBe(1);
  });

  it('polls every POLL_SECONDS while anything else is in flight, or before any Job of the upgrade has finished', () => {
    expect(poll([inJob('w1', 0), { name: 'w2', role: 'worker', step: 'draining' }], 0, 10, 30)).toBe(30);
    expect(poll([inJob('w1', 0), { name: 'w2', role: 'worker', step: 'verifying', jobStartedAt: at(0) }], 0, 10, 30)).toBe(30);
    expect(poll([inJob('w1', 0)], 0, undefined, 30)).toBe(30);
    // nodes done, failed or skipped do not hold the timing back
    expect(poll([inJob('w1', 0), { name: 'w2', role: 'worker', step: 'done' }, { name: 'w3', role: 'worker', step: 'skipped' }], 0, 10, 1)).toBe(10);
  });

  it('counts a Job the step itself started from the end of the step: it was created at some point since the step began', () => {
    const step = (now: number, expectedJobSeconds: number) =>
      nextBatchPollSeconds([inJob('w1', 0), inJob('w2', 0)], {
        now: at(now),
        pollSeconds: 1,
        nodeUpgradeTimeoutSeconds: 3600,
        expectedJobSeconds,
        stepStartedAt: at(0),
      });
    expect(step(0.3, 10)).toBe(10); // not ceil(9.7) from the step's start, which may come before the last Job it made ends
    expect(step(2.6, 10)).toBe(10);
    // a later step, at 5 s, did not start them
    expect(
      nextBatchPollSeconds([inJob('w1', 0)], { now: at(5), pollSeconds: 1, nodeUpgradeTimeoutSeconds: 3600, expectedJobSeconds: 10, stepStartedAt: at(5) }),
    ).toBe(5);
  });

  it('never waits past a node-upgrade timeout, nor longer than its bound', () => {
    expect(poll([inJob('w1', 0)], 100, 900, 30, 200)).toBe(100);
    expect(poll([inJob('w1', 0)], 0, 3000, 30)).toBe(MAX_TIMED_WAIT_SECONDS);
  });

  it('a Job whose pod has not started is timed too: its run counts from the Job’s start', () => {
    expect(poll([inJob('w1', 0, { waitingFor: { reason: 'JobPending', message: '', since: at(0) } })], 0.1, 10)).toBe(10);
  });
});

describe('shortestJobSeconds: what the upgrade keeps of its Jobs’ runs', () => {
  it('the shortest run seen, the batch’s nodes and what was kept before', () => {
    const done = (name: string, jobSeconds?: number): NodeProgress => ({
      name,
      role: 'worker',
      step: 'done',
      ...(jobSeconds !== undefined ? { jobSeconds } : {}),
    });
    expect(shortestJobSeconds(undefined, [done('w1')])).toBeUndefined();
    expect(shortestJobSeconds(undefined, [done('w1', 12), done('w2', 10.5), done('w3')])).toBe(10.5);
    expect(shortestJobSeconds(9, [done('w1', 12)])).toBe(9);
  });
});
