import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClusterDriver } from '../../src/cluster/clusterDriver.js';
import { ClusterApiError } from '../../src/cluster/errors.js';
import { createKubernetesDriver } from '../../src/cluster/k8sDriver.js';
import { readKubeconfig } from '../../src/cluster/kubeconfigSource.js';
import { ANNOTATION_CORDONED_BY } from '../../src/cluster/labels.js';
import { planRemainingBatches } from '../../src/domain/batchPlan.js';
import { listBatches } from '../../src/store/batches.js';
import { requestUpgrade, resumeRequest } from '../../src/upgrades/control.js';
import { workerNames } from '../helpers/simOps.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';
const planFor = (clusterId: string) =>
  planRemainingBatches({ pending: workerNames(20), retryFirst: [], workerCount: 20, rampIndex: 0, seed: clusterId, targetVersion: target });

/** Faults the real driver cannot be made to show on demand: the API server failing one call for one node. */
interface Faults {
  /** drain of this node answers 500 */
  drainFails?: string;
  /** the upgrade Job of this node is created, then the answer is lost */
  jobAnswerLost?: string;
}

/** The real driver on the simulated cluster, with the faults above switched on and off by the test. */
async function startWithFaults(faults: Faults): Promise<TestStack> {
  const stack = await startTestStack();
  stack.ctx.driverFor = async (cluster): Promise<ClusterDriver> => {
    const real = createKubernetesDriver(await readKubeconfig(cluster.kubeconfigRef));
    return {
      ...real,
      async drain(node) {
        if (node === faults.drainFails) throw new ClusterApiError('https://sim', 500, 'InternalError', `evicting pods of ${node} failed`);
        return real.drain(node);
      },
      async ensureUpgradeJob(spec) {
        const out = await real.ensureUpgradeJob(spec);
        if (spec.node === faults.jobAnswerLost) throw new ClusterApiError('https://sim', 504, 'Timeout', 'the answer to creating the Job was lost');
        return out;
      },
    };
  };
  return stack;
}

const jobsOf = (stack: TestStack, node: string) => stack.sim.objects('jobs', 'kube-upgrade').filter((j) => j.metadata.labels?.['kupgrade.io/node'] === node);

describe('a node step that throws', () => {
  const faults: Faults = {};
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWithFaults(faults);
  });
  afterAll(async () => stack?.stop());

  it('pauses naming the node, gives back the node whose drain failed, keeps the progress of its batch-mate, and finishes on resume', async () => {
    // Prepare: worker batch 2 holds two nodes; the drain of the first fails
    const id = 'upg-drain-error';
    const [failing, sibling] = planFor(stack.clusterId)[1]!;
    faults.drainFails = failing;

    // Act
    await requestUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: id, targetVersion: target });
    const paused = await stack.waitForUpgrade(id, (x) => x.status === 'paused');

    // Assess: the error names the node; nothing changed on it, so it is schedulable again and carries no cordon of ours
    expect(paused.error).toMatchObject({ reason: 'ClusterApiError', node: failing });
    expect(paused.error?.message).toContain(`node ${failing!}`);
    const node = await stack.driver.getNode(failing!);
    expect(node).toMatchObject({ unschedulable: false, kubeletVersion: '1.30.4' });
    expect(node.annotations[ANNOTATION_CORDONED_BY]).toBeUndefined();
    expect(jobsOf(stack, failing!)).toEqual([]);
    // Every other node of the batch is either in its upgrade (its Job exists, it stays cordoned, the batch says so)
    // or given back like the failing one: whichever the timing, no node is cordoned by kupgrade without a Job on it.
    const batch2 = (await listBatches(stack.db, id)).filter((b) => b.kind === 'worker')[1]!;
    expect(batch2.nodes.find((n) => n.name === failing)).toMatchObject({ step: 'pending' });
    for (const n of batch2.nodes) {
      const info = await stack.driver.getNode(n.name);
      const hasJob = jobsOf(stack, n.name).length > 0;
      expect({ node: n.name, step: n.step, cordoned: info.unschedulable, ours: info.annotations[ANNOTATION_CORDONED_BY] === id }).toEqual(
        hasJob ? { node: n.name, step: 'upgrading', cordoned: true, ours: true } : { node: n.name, step: 'pending', cordoned: false, ours: false },
      );
    }
    expect(batch2.nodes.map((n) => n.name).sort()).toEqual([failing, sibling].sort());

    // Act: the API server is healthy again
    delete faults.drainFails;
    await resumeRequest(stack.controls, stack.clusterId, id);
    const done = await stack.waitForUpgrade(id, (x) => x.status !== 'running', 60_000);

    // Assess
    expect(done.status).toBe('succeeded');
    for (const n of await stack.driver.listNodes()) {
      expect({ name: n.name, version: n.kubeletVersion, unschedulable: n.unschedulable }).toEqual({ name: n.name, version: target, unschedulable: false });
    }
  });
});

describe('a Job created whose answer was lost', () => {
  const faults: Faults = {};
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWithFaults(faults);
  });
  afterAll(async () => stack?.stop());

  it('keeps the node cordoned while its Job runs, follows that Job on resume, and uncordons it once upgraded', async () => {
    // Prepare: the first worker's Job gets created, but kupgrade never hears so
    const id = 'upg-job-lost';
    const first = planFor(stack.clusterId)[0]![0]!;
    faults.jobAnswerLost = first;

    // Act
    await requestUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: id, targetVersion: target });
    const paused = await stack.waitForUpgrade(id, (x) => x.status === 'paused');

    // Assess: the error pause asked the cluster, found the Job, and did not hand a node in mid-upgrade back to the scheduler
    expect(paused.error).toMatchObject({ node: first });
    expect((await stack.driver.getNode(first)).unschedulable).toBe(true);
    const jobs = jobsOf(stack, first);
    expect(jobs).toHaveLength(1);
    const batch1 = (await listBatches(stack.db, id)).find((b) => b.kind === 'worker')!;
    expect(batch1.nodes[0]).toMatchObject({ name: first, step: 'upgrading', jobName: jobs[0]!.metadata.name, cordonedByUs: true });

    // Act
    delete faults.jobAnswerLost;
    await resumeRequest(stack.controls, stack.clusterId, id);
    const done = await stack.waitForUpgrade(id, (x) => x.status !== 'running', 60_000);

    // Assess: the same Job carried the node through; no second one was made for it
    expect(done.status).toBe('succeeded');
    const after = (await listBatches(stack.db, id)).find((b) => b.kind === 'worker')!;
    expect(after.nodes[0]).toMatchObject({ name: first, step: 'done', jobName: jobs[0]!.metadata.name });
    expect(await stack.driver.getNode(first)).toMatchObject({ kubeletVersion: target, unschedulable: false });
  });
});
