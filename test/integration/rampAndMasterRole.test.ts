import { afterEach, describe, expect, it } from '@jest/globals';
import type { ClusterDriver } from '../../src/kube/clusterDriver.js';
import { ClusterApiError } from '../../src/kube/errors.js';
import { createKubernetesDriver } from '../../src/kube/k8sDriver.js';
import { readKubeconfig } from '../../src/kube/kubeconfigSource.js';
import { planRemainingBatches } from '../../src/domain/batchPlan.js';
import { listBatches } from '../../src/store/batches.js';
import { startUpgrade, resumeUpgrade } from '../../src/upgrades/control.js';
import { workerNames } from '../helpers/simOps.js';
import { planOf } from '../helpers/plans.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';
import type { KubeSimOptions } from '../../local/kube-sim/index.js';

const target = '1.31.10';

/** The real driver on the simulated cluster, with one call changed the way a real cluster can change it. */
async function startWith(sim: KubeSimOptions, change: (real: ClusterDriver) => Partial<ClusterDriver>): Promise<TestStack> {
  const stack = await startTestStack({ sim: { upgradeMs: 30, ...sim } });
  stack.ctx.driverFor = async (cluster): Promise<ClusterDriver> => {
    const real = createKubernetesDriver(await readKubeconfig(cluster.kubeconfigRef));
    return { ...real, ...change(real) };
  };
  return stack;
}

describe('batch rules across an error pause and on an HA control plane', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('after an error pause mid-batch and a resume, the first new batch has 1 node', async () => {
    // Prepare: 20 workers (batches of 1, 2, 2, ...); the first worker's Job is created but its answer is lost
    const plan = (clusterId: string) =>
      planRemainingBatches({ pending: workerNames(20), retryFirst: [], workerCount: 20, rampIndex: 0, seed: clusterId, targetVersion: target });
    const faults: { jobAnswerLost?: string } = {};
    stack = await startWith({ masters: 1, workers: 20 }, (real) => ({
      async ensureUpgradeJob(spec) {
        const out = await real.ensureUpgradeJob(spec);
        if (spec.node === faults.jobAnswerLost) throw new ClusterApiError('https://sim', 504, 'Timeout', 'the answer to creating the Job was lost');
        return out;
      },
    }));
    const s = stack;
    const [first, second] = plan(s.clusterId);
    faults.jobAnswerLost = first![0]!;
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(2);

    // Act: the upgrade pauses with worker batch 1 in flight; resume
    const u = await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-ramp-resume', targetVersion: target });
    const paused = await s.waitForUpgrade(u.id, (x) => x.status === 'paused');
    expect(paused).toMatchObject({ workerBatches: 1, error: { node: first![0] } });
    expect(paused.currentBatch).not.toBeNull();
    delete faults.jobAnswerLost;
    const resumed = await resumeUpgrade(s.controls, s.clusterId, u.id);
    const done = await s.waitForUpgrade(u.id, (x) => x.status !== 'running', 60_000);

    // Assess: batch 1 finished after the resume without moving the ramp; the batches after it are the plan shown at the resume
    expect(done.status).toBe('succeeded');
    const workers = (await listBatches(s.db, u.id)).filter((b) => b.kind === 'worker').map((b) => b.nodes.map((n) => n.name));
    expect(workers[0]).toEqual(first);
    expect(workers[1]).toHaveLength(1);
    // the plan is read from its pages (issue 22: no item grows with the cluster)
    const resumedPlan = await planOf(s.db, resumed);
    expect(resumedPlan.batches[0]).toHaveLength(1);
    expect(workers.slice(1)).toEqual(resumedPlan.batches);
  });

  it('behind a load balancer still answering the old /version, only the first master runs kubeadm upgrade apply', async () => {
    // Prepare: /version keeps answering 1.30.4 after the first master's apply, as an API server not yet upgraded would
    stack = await startWith({ masters: 3, workers: 2 }, () => ({ serverVersion: async () => '1.30.4' }));
    const s = stack;

    // Act
    const u = await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-ha-version', targetVersion: target });
    const done = await s.waitForUpgrade(u.id, (x) => x.status !== 'running', 60_000);

    // Assess: the roles the batches gave the masters, and the NODE_ROLE each Job was created with
    expect(done.status).toBe('succeeded');
    const masters = (await listBatches(s.db, u.id)).filter((b) => b.kind === 'master').flatMap((b) => b.nodes.map((n) => [n.name, n.role]));
    expect(masters).toEqual([
      ['master-1', 'first-master'],
      ['master-2', 'master'],
      ['master-3', 'master'],
    ]);
    type JobBody = { spec: { template: { spec: { nodeName: string; containers: { env: { name: string; value: string }[] }[] } } } };
    const roles = s.sim.requests
      .filter((r) => r.method === 'POST' && r.path === '/apis/batch/v1/namespaces/kube-upgrade/jobs')
      .map((r) => (r.body as JobBody).spec.template.spec)
      .map((p) => [p.nodeName, p.containers[0]!.env.find((e) => e.name === 'NODE_ROLE')!.value]);
    expect(roles.filter(([node]) => node!.startsWith('master'))).toEqual(masters);
  });
});
