import { describe, expect, it } from '@jest/globals';
import { judgeNodeUpgrade } from '../../../src/domain/nodeUpgradeTimeout.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const base = { node: 'worker-7', jobName: 'kupgrade-abc-worker-7', targetVersion: '1.31.10', jobStartedAt: at(0), timeoutSeconds: 30 };

describe('judgeNodeUpgrade', () => {
  it('waits until the timeout, counted from the start of the Job', () => {
    expect(judgeNodeUpgrade({ ...base, now: at(29), seen: { step: 'upgrading', job: 'running' } })).toEqual({ kind: 'wait' });
    expect(judgeNodeUpgrade({ ...base, now: at(29), seen: { step: 'verifying', ready: false, kubeletVersion: '1.30.4' } })).toEqual({ kind: 'wait' });
  });

  it('times out a Job still running, naming the node, the Job and what to do', () => {
    const v = judgeNodeUpgrade({ ...base, now: at(30), seen: { step: 'upgrading', job: 'running' } });
    expect(v.kind).toBe('timeout');
    if (v.kind !== 'timeout') return;
    expect(v.message).toBe(
      'node worker-7 did not finish its upgrade within 30s of the start of its Job kube-upgrade/kupgrade-abc-worker-7: the Job is still running (its pod may never have started); the node stays cordoned',
    );
    expect(v.remedy).toContain('kubectl -n kube-upgrade describe job kupgrade-abc-worker-7');
    expect(v.remedy).toContain('resume');
  });

  it('times out a Job that is gone', () => {
    const v = judgeNodeUpgrade({ ...base, now: at(31), seen: { step: 'upgrading', job: 'absent' } });
    expect(v.kind === 'timeout' && v.message).toContain('the Job is gone');
  });

  it('times out a node that did not come back Ready at the target, saying which of the two it missed', () => {
    const notReady = judgeNodeUpgrade({ ...base, now: at(60), seen: { step: 'verifying', ready: false, kubeletVersion: '1.31.10' } });
    expect(notReady.kind === 'timeout' && notReady.message).toContain('the Job succeeded but the node is not Ready; the node stays cordoned');
    const oldKubelet = judgeNodeUpgrade({ ...base, now: at(60), seen: { step: 'verifying', ready: true, kubeletVersion: '1.30.4' } });
    expect(oldKubelet.kind === 'timeout' && oldKubelet.message).toContain('the Job succeeded but its kubelet reports 1.30.4, not 1.31.10');
    const both = judgeNodeUpgrade({ ...base, now: at(60), seen: { step: 'verifying', ready: false, kubeletVersion: '1.30.4' } });
    expect(both.kind === 'timeout' && both.message).toContain('the node is not Ready and its kubelet reports 1.30.4, not 1.31.10');
    expect(both.kind === 'timeout' && both.remedy).toContain('journalctl -u kubelet');
  });
});
