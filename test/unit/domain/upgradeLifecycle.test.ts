import { describe, expect, it } from '@jest/globals';
import { ConflictError } from '../../../src/domain/errors.js';
import { markFinished, masterJobRole, markPaused, rampAfterBatch, requestCancel, requestPause, markResumed } from '../../../src/domain/upgradeLifecycle.js';
import { newUpgrade } from '../../../src/upgrades/newUpgrade.js';

const t0 = '2026-01-01T00:00:00.000Z';
const base = () => newUpgrade({ id: 'upg-1', clusterId: 'c1', fromVersion: '1.30.4', toVersion: '1.31.2', now: t0 });

describe('upgradeLifecycle', () => {
  it('a pause request makes a running upgrade pausing', () => {
    expect(requestPause(base(), t0)).toMatchObject({ status: 'pausing', pauseRequested: true });
  });
  it('pausing sets pausedAt and the TTL expiry; resume removes them and resets the ramp', () => {
    const paused = markPaused({ ...base(), rampIndex: 3 }, { now: t0, expirySeconds: 15 * 86400 });
    expect(paused.expiresAt).toBe(Date.parse(t0) / 1000 + 15 * 86400);
    expect(paused.pausedAt).toBe(t0);
    const resumed = markResumed(paused, '2026-01-02T00:00:00.000Z');
    expect(resumed).toMatchObject({ status: 'running', rampIndex: 0, executions: 2 });
    expect(resumed.expiresAt).toBeUndefined();
    expect(resumed.pausedAt).toBeUndefined();
  });
  it('an error pause keeps the reason', () => {
    const paused = markPaused(base(), { now: t0, expirySeconds: 10, error: { reason: 'UpgradeJobFailed', message: 'boom', node: 'w1' } });
    expect(paused.error).toEqual({ reason: 'UpgradeJobFailed', message: 'boom', node: 'w1' });
  });
  it('refuses resume of a running upgrade and cancel of a running one with a 409-type error', () => {
    expect(() => markResumed(base(), t0)).toThrow(ConflictError);
    expect(() => requestCancel(base(), t0)).toThrow(expect.objectContaining({ remedy: 'pause the upgrade first, then cancel it' }));
    expect(() => requestPause(requestPause(base(), t0), t0)).toThrow(ConflictError);
  });
  it('cancel marks a paused upgrade; finishing ends it and drops the expiry', () => {
    const paused = markPaused(base(), { now: t0, expirySeconds: 10 });
    const cancelling = requestCancel(paused, t0);
    expect(cancelling.cancelRequested).toBe(true);
    const ended = markFinished(cancelling, 'cancelled', t0);
    expect(ended).toMatchObject({ status: 'cancelled', phase: 'done' });
    expect(ended.expiresAt).toBeUndefined();
  });
  it('a worker batch moves the ramp, except one started before the latest resume: the first batch after a resume has 1 node', () => {
    const running = { ...base(), rampIndex: 2 };
    expect(rampAfterBatch(running, { kind: 'worker', execution: 1 })).toBe(3);
    expect(rampAfterBatch(running, { kind: 'master', execution: 1 })).toBe(2);
    // a batch stored before batches recorded their execution keeps the old rule
    expect(rampAfterBatch(running, { kind: 'worker' })).toBe(3);
    // error pause mid-batch, then resume: the batch in flight settles in the next execution
    const resumed = markResumed(markPaused(running, { now: t0, expirySeconds: 10, error: { reason: 'X', message: 'x' } }), t0);
    expect(rampAfterBatch(resumed, { kind: 'worker', execution: 1 })).toBe(0);
    expect(rampAfterBatch(resumed, { kind: 'worker', execution: resumed.executions })).toBe(1);
  });
  it('the first master is the first one upgraded by this upgrade, whatever /version answers; none when the control plane began at the target', () => {
    expect(masterJobRole({ fromVersion: '1.30.4', toVersion: '1.31.2', mastersFinished: 0 })).toBe('first-master');
    expect(masterJobRole({ fromVersion: '1.30.4', toVersion: '1.31.2', mastersFinished: 1 })).toBe('master');
    expect(masterJobRole({ fromVersion: '1.31.2', toVersion: '1.31.2', mastersFinished: 0 })).toBe('master');
  });
});
