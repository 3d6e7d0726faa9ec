import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClusterDriver } from '../../src/kube/clusterDriver.js';
import { ClusterApiError, ClusterUnreachableError } from '../../src/kube/errors.js';
import { createKubernetesDriver } from '../../src/kube/k8sDriver.js';
import { readKubeconfig } from '../../src/kube/kubeconfigSource.js';
import { ANNOTATION_CORDONED_BY } from '../../src/domain/clusterMarks.js';
import { ANNOTATION_SIM_FAIL_UPGRADE } from '../../local/kube-sim/annotations.js';
import { planRemainingBatches } from '../../src/domain/batchPlan.js';
import { listBatches } from '../../src/store/batches.js';
import { listEvents } from '../../src/store/events.js';
import { advanceNode, type NodeStepContext } from '../../src/phases/advanceNode.js';
import { cancelUpgrade, pauseUpgrade, startUpgrade, resumeUpgrade } from '../../src/upgrades/control.js';
import { startKubeSim, type KubeSim } from '../../local/kube-sim/index.js';
import { annotateNode, workerNames } from '../helpers/simOps.js';
import { eventually } from '../helpers/eventually.js';
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
  /** the cordon of this node goes through, then the answer is lost, once (the state machine retries the step) */
  cordonAnswerLost?: string;
  /** this node reports NotReady to the step that verifies it (its kubelet bumped, but not healthy) */
  notReady?: string;
  /** runs when a fault fires, before its error is raised: what happens meanwhile elsewhere */
  meanwhile?: () => Promise<unknown>;
}

/** The real driver on the simulated cluster, with the faults above switched on and off by the test. */
async function startWithFaults(faults: Faults, env: Record<string, string> = {}): Promise<TestStack> {
  const stack = await startTestStack({ env });
  stack.ctx.driverFor = async (cluster): Promise<ClusterDriver> => {
    const real = createKubernetesDriver(await readKubeconfig(cluster.kubeconfigRef));
    return {
      ...real,
      async cordon(node, upgradeId) {
        const out = await real.cordon(node, upgradeId);
        if (node === faults.cordonAnswerLost) {
          delete faults.cordonAnswerLost;
          await faults.meanwhile?.();
          throw new ClusterUnreachableError('https://sim', 'the answer to the cordon was lost');
        }
        return out;
      },
      async drain(node) {
        if (node === faults.drainFails) throw new ClusterApiError('https://sim', 500, 'InternalError', `evicting pods of ${node} failed`);
        return real.drain(node);
      },
      async getNode(name) {
        const info = await real.getNode(name);
        return name === faults.notReady ? { ...info, ready: false } : info;
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
    await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: id, targetVersion: target });
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
    await resumeUpgrade(stack.controls, stack.clusterId, id);
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
    await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: id, targetVersion: target });
    const paused = await stack.waitForUpgrade(id, (x) => x.status === 'paused');

    // Assess: the error pause asked the cluster, found the Job, and did not hand a node in mid-upgrade back to the scheduler
    expect(paused.error).toMatchObject({ node: first });
    expect((await stack.driver.getNode(first)).unschedulable).toBe(true);
    const jobs = jobsOf(stack, first);
    expect(jobs).toHaveLength(1);
    const batch1 = (await listBatches(stack.db, id)).find((b) => b.kind === 'worker')!;
    expect(batch1.nodes[0]).toMatchObject({ name: first, step: 'upgrading', jobName: jobs[0]!.metadata.name, cordonedByUs: true });
    // what the interrupted step did is told once, as found: the cordon by its own write, the drain and the Job by the error path
    // (the pause's own event is written just after the pause it tells: read once it is there)
    const nodeEvents = async () => (await listEvents(stack.db, id)).filter((e) => e.node === first).map((e) => e.type);
    const told = await eventually(async () => {
      const types = await nodeEvents();
      return types.includes('UpgradePaused') && types;
    }, 'the pause told');
    expect(told).toEqual(['NodeCordoned', 'NodeDrained', 'JobStarted', 'UpgradePaused']);

    // Act
    delete faults.jobAnswerLost;
    await resumeUpgrade(stack.controls, stack.clusterId, id);
    const done = await stack.waitForUpgrade(id, (x) => x.status !== 'running', 60_000);

    // Assess: the same Job carried the node through; no second one was made for it
    expect(done.status).toBe('succeeded');
    const after = (await listBatches(stack.db, id)).find((b) => b.kind === 'worker')!;
    expect(after.nodes[0]).toMatchObject({ name: first, step: 'done', jobName: jobs[0]!.metadata.name });
    expect(await stack.driver.getNode(first)).toMatchObject({ kubeletVersion: target, unschedulable: false });
  });
});

describe("a pause that lands while a cordoned node's step is retried", () => {
  const faults: Faults = {};
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWithFaults(faults);
  });
  afterAll(async () => stack?.stop());

  it('skips the node and gives it back, so it is not left cordoned after the pause and the cancel', async () => {
    // Prepare: the first worker is cordoned, the answer is lost, and a pause is requested before the step is retried
    const id = 'upg-retried-cordon';
    const first = planFor(stack.clusterId)[0]![0]!;
    faults.cordonAnswerLost = first;
    faults.meanwhile = () => pauseUpgrade(stack.controls, stack.clusterId, id);

    // Act
    await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: id, targetVersion: target });
    const paused = await stack.waitForUpgrade(id, (x) => x.status === 'paused');

    // Assess: the retried step skipped the node (the pause holds it) and took its cordon back
    expect(faults.cordonAnswerLost).toBeUndefined();
    expect(paused.error).toBeUndefined();
    const batch1 = (await listBatches(stack.db, id)).find((b) => b.kind === 'worker')!;
    expect(batch1.nodes).toEqual([expect.objectContaining({ name: first, step: 'skipped' })]);
    const held = await stack.driver.getNode(first);
    expect(held).toMatchObject({ unschedulable: false, kubeletVersion: '1.30.4' });
    expect(held.annotations[ANNOTATION_CORDONED_BY]).toBeUndefined();

    // Act: cancel
    await cancelUpgrade(stack.controls, stack.clusterId, id);
    await stack.waitForUpgrade(id, (x) => x.status === 'cancelled');

    // Assess: every worker schedulable, none carrying kupgrade's cordon
    for (const n of (await stack.driver.listNodes()).filter((x) => x.role === 'worker')) {
      expect({ name: n.name, unschedulable: n.unschedulable, cordonedBy: n.annotations[ANNOTATION_CORDONED_BY] }).toEqual({
        name: n.name,
        unschedulable: false,
        cordonedBy: undefined,
      });
    }
  });
});

describe('a pause that finds a node further on than its stored step (a crash before the batch was saved)', () => {
  const id = 'upg-held';
  let sim: KubeSim;
  let driver: ClusterDriver;
  const ctx = (): NodeStepContext => ({
    driver,
    upgradeId: id,
    targetVersion: target,
    attempt: 1,
    now: new Date().toISOString(),
    drainTimeoutSeconds: 1800,
    nodeUpgradeTimeoutSeconds: 3600,
    holdNewNodes: true,
  });
  beforeAll(async () => {
    // Jobs run for a minute: long enough to still be running when the test looks
    sim = await startKubeSim({ masters: 1, workers: 2, version: '1.30.4', upgradeMs: 60_000, rescheduleMs: 20, workload: 'none' });
    driver = createKubernetesDriver(sim.kubeconfig);
  });
  afterAll(async () => sim?.close());

  it('follows a node whose Job already runs to the end of its upgrade, keeping it cordoned', async () => {
    // Prepare: an earlier try cordoned worker-1 and started its Job, then died before saving that
    await driver.cordon('worker-1', id);
    const job = await driver.ensureUpgradeJob({ upgradeId: id, node: 'worker-1', role: 'worker', targetVersion: target, attempt: 1 });

    // Act
    const out = await advanceNode(ctx(), { name: 'worker-1', role: 'worker', step: 'pending' });

    // Assess
    expect(out.error).toBeUndefined();
    expect(out.node).toMatchObject({ name: 'worker-1', step: 'upgrading', jobName: job.name, cordonedByUs: true, jobStartedAt: expect.any(String) });
    const node = await driver.getNode('worker-1');
    expect(node.unschedulable).toBe(true);
    expect(node.annotations[ANNOTATION_CORDONED_BY]).toBe(id);
  });

  it('skips a node with no Job and takes back the cordon an earlier try left', async () => {
    // Prepare
    await driver.cordon('worker-2', id);

    // Act
    const out = await advanceNode(ctx(), { name: 'worker-2', role: 'worker', step: 'pending' });

    // Assess
    expect(out.node).toMatchObject({ name: 'worker-2', step: 'skipped' });
    const node = await driver.getNode('worker-2');
    expect(node.unschedulable).toBe(false);
    expect(node.annotations[ANNOTATION_CORDONED_BY]).toBeUndefined();
  });
});

describe('a node whose kubelet reached the target but never came back Ready', () => {
  const faults: Faults = {};
  let stack: TestStack;
  beforeAll(async () => {
    // long enough for every healthy node on a busy machine; only the faulty one runs into it
    stack = await startWithFaults(faults, { NODE_UPGRADE_TIMEOUT_SECONDS: '5' });
  });
  afterAll(async () => stack?.stop());

  it('is taken up again on resume although its version is the target, and ends uncordoned', async () => {
    // Prepare: the first worker's upgrade runs, but the node does not report Ready in time
    const id = 'upg-at-target-held';
    const first = planFor(stack.clusterId)[0]![0]!;
    faults.notReady = first;
    await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: id, targetVersion: target });
    const paused = await stack.waitForUpgrade(id, (x) => x.status === 'paused');
    expect(paused.error).toMatchObject({ reason: 'NodeUpgradeTimeout', node: first });
    expect(await stack.driver.getNode(first)).toMatchObject({ kubeletVersion: target, unschedulable: true });

    // Act: the node is healthy again
    delete faults.notReady;
    await resumeUpgrade(stack.controls, stack.clusterId, id);
    const done = await stack.waitForUpgrade(id, (x) => x.status !== 'running', 60_000);

    // Assess: retried first (alone, the ramp at 1), then given back
    expect(done.status).toBe('succeeded');
    const workerBatches = (await listBatches(stack.db, id)).filter((b) => b.kind === 'worker');
    expect(workerBatches[1]!.nodes.map((n) => n.name)).toEqual([first]);
    const node = await stack.driver.getNode(first);
    expect(node).toMatchObject({ kubeletVersion: target, unschedulable: false });
    expect(node.annotations[ANNOTATION_CORDONED_BY]).toBeUndefined();
  });
});

describe('a node an earlier attempt failed on, hit by an error while it is retried', () => {
  const faults: Faults = {};
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWithFaults(faults);
  });
  afterAll(async () => stack?.stop());

  it('stays cordoned (it may be broken) until an upgrade of it succeeds', async () => {
    // Prepare: the first node of worker batch 2 fails its upgrade and stays cordoned
    const id = 'upg-held-retry';
    const failing = planFor(stack.clusterId)[1]![0]!;
    await annotateNode(stack.sim, failing, { [ANNOTATION_SIM_FAIL_UPGRADE]: 'true' });
    await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: id, targetVersion: target });
    expect((await stack.waitForUpgrade(id, (x) => x.status === 'paused')).error).toMatchObject({ reason: 'UpgradeJobFailed', node: failing });

    // Act: on resume its retry is hit by an API error before its new Job starts
    await annotateNode(stack.sim, failing, { [ANNOTATION_SIM_FAIL_UPGRADE]: null });
    faults.drainFails = failing;
    await resumeUpgrade(stack.controls, stack.clusterId, id);
    const paused = await stack.waitForUpgrade(id, (x) => x.status === 'paused' && x.error?.reason === 'ClusterApiError');

    // Assess: the error path did not hand the node back to the scheduler
    expect(paused.error?.node).toBe(failing);
    const node = await stack.driver.getNode(failing);
    expect(node).toMatchObject({ unschedulable: true, kubeletVersion: '1.30.4' });
    expect(node.annotations[ANNOTATION_CORDONED_BY]).toBe(id);
    const retry = (await listBatches(stack.db, id)).filter((b) => b.kind === 'worker').at(-1)!;
    expect(retry.nodes).toEqual([expect.objectContaining({ name: failing, step: 'pending', heldBefore: true })]);

    // Act + Assess: healthy again, it is upgraded and only then uncordoned
    delete faults.drainFails;
    await resumeUpgrade(stack.controls, stack.clusterId, id);
    expect((await stack.waitForUpgrade(id, (x) => x.status !== 'running', 60_000)).status).toBe('succeeded');
    expect(await stack.driver.getNode(failing)).toMatchObject({ unschedulable: false, kubeletVersion: target });
  });
});
