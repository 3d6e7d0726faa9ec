import { describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeSim } from '../../local/kube-sim/index.js';
import { createKubernetesDriver } from '../../src/kube/k8sDriver.js';
import { cordonByOperator } from '../helpers/simOps.js';

describe('kube-sim persistence', () => {
  it('brings the cluster back as it was, and runs the upgrade Job that was running when it stopped', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'kube-sim-state-'));
    const statePath = join(dir, 'cluster.json');
    const first = await startKubeSim({ masters: 1, workers: 3, version: '1.30.4', upgradeMs: 10_000, rescheduleMs: 10, statePath });
    await cordonByOperator(first, 'worker-1');
    await createKubernetesDriver(first.kubeconfig).ensureUpgradeJob({ upgradeId: 'upg-p', node: 'worker-2', role: 'worker', targetVersion: '1.31.2' });
    const deadline = Date.now() + 10_000;
    while ((first.objects('pods', 'kube-upgrade')[0]?.status as { phase?: string } | undefined)?.phase !== 'Running') {
      if (Date.now() > deadline) throw new Error('the upgrade pod did not start');
      await new Promise((r) => setTimeout(r, 10));
    }
    const uids = first.objects('nodes').map((n) => n.metadata.uid);

    // Act: stopped long before the job's 10 s, started again on the same state with quick jobs
    await first.close();
    const second = await startKubeSim({ masters: 1, workers: 3, version: '1.30.4', upgradeMs: 50, rescheduleMs: 10, statePath });
    try {
      // Assess
      const driver = createKubernetesDriver(second.kubeconfig);
      expect(second.objects('nodes').map((n) => n.metadata.uid)).toEqual(uids);
      expect((await driver.getNode('worker-1')).unschedulable).toBe(true);
      const until = Date.now() + 10_000;
      while ((await driver.upgradeJobStatus('upg-p', 'worker-2')).phase !== 'succeeded') {
        if (Date.now() > until) throw new Error('the restored job did not finish');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await driver.getNode('worker-2')).kubeletVersion).toBe('1.31.2');
      expect((await driver.getNode('worker-3')).kubeletVersion).toBe('1.30.4');
    } finally {
      await second.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
