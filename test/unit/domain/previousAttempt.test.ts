import { describe, expect, it } from '@jest/globals';
import { judgePreviousAttempt } from '../../../src/domain/previousAttempt.js';

const base = { node: 'worker-1', ownJob: 'kupgrade-b-worker-1', now: '2025-06-07T10:00:00.000Z', timeoutSeconds: 600 };

describe('judgePreviousAttempt: an earlier attempt’s Job still running on the node is waited for', () => {
  it('goes on when no other Job of kupgrade is active on the node (its own attempt’s Job does not count)', () => {
    expect(judgePreviousAttempt({ ...base, activeJobs: [] })).toEqual({ kind: 'go' });
    expect(judgePreviousAttempt({ ...base, activeJobs: ['kupgrade-b-worker-1'] })).toEqual({ kind: 'go' });
  });

  it('waits, naming the Job, with a deadline from when the wait began', () => {
    const v = judgePreviousAttempt({ ...base, activeJobs: ['kupgrade-a-worker-1'] });
    expect(v).toMatchObject({
      kind: 'wait',
      seen: { reason: 'PreviousAttemptRunning', object: 'job/kube-upgrade/kupgrade-a-worker-1', deadline: '2025-06-07T10:10:00.000Z' },
    });
    const later = judgePreviousAttempt({
      ...base,
      now: '2025-06-07T10:05:00.000Z',
      activeJobs: ['kupgrade-a-worker-1'],
      waiting: { reason: 'PreviousAttemptRunning', since: base.now },
    });
    expect(later).toMatchObject({ kind: 'wait', seen: { deadline: '2025-06-07T10:10:00.000Z' } });
  });

  it('fails the node once the Job still runs past the timeout, with a remedy that names it', () => {
    const v = judgePreviousAttempt({
      ...base,
      now: '2025-06-07T10:10:00.000Z',
      activeJobs: ['kupgrade-a-worker-1'],
      waiting: { reason: 'PreviousAttemptRunning', since: base.now },
    });
    expect(v.kind).toBe('timeout');
    expect(v.kind === 'timeout' && v.remedy).toContain('kubectl -n kube-upgrade delete job kupgrade-a-worker-1');
  });
});
