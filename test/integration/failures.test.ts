import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { planRemainingBatches } from '../../src/domain/batchPlan.js';
import { listBatches } from '../../src/store/batches.js';
import { ANNOTATION_CORDONED_BY } from '../../src/domain/clusterMarks.js';
import { ANNOTATION_SIM_FAIL_UPGRADE } from '../../local/kube-sim/annotations.js';
import { startUpgrade, resumeUpgrade } from '../../src/upgrades/control.js';
import { annotateNode, pinUnevictablePod, workerNames } from '../helpers/simOps.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';
/** The batches the planner will pick for this upgrade id on a fresh 20-worker cluster. */
const planFor = (clusterId: string) =>
  planRemainingBatches({ pending: workerNames(20), retryFirst: [], workerCount: 20, rampIndex: 0, seed: clusterId, targetVersion: target });

describe('a node whose upgrade Job fails', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => stack?.stop());

  it('pauses the upgrade naming the node, lets the rest of its batch finish, keeps it cordoned, and retries it first on resume', async () => {
    // Prepare: the first node of worker batch 2 (2 nodes) will fail
    const id = 'upg-jobfail';
    const [failing, sibling] = planFor(stack.clusterId)[1]!;
    await annotateNode(stack.sim, failing!, { [ANNOTATION_SIM_FAIL_UPGRADE]: 'true' });

    // Act
    await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: id, targetVersion: target });
    const paused = await stack.waitForUpgrade(id, (x) => x.status === 'paused');

    // Assess
    expect(paused.error).toMatchObject({ reason: 'UpgradeJobFailed', node: failing });
    expect(paused.error?.message).toContain(failing);
    expect(paused.retryFirst).toEqual([failing]);
    const nodes = new Map((await stack.driver.listNodes()).map((n) => [n.name, n]));
    expect(nodes.get(sibling!)).toMatchObject({ kubeletVersion: target, unschedulable: false });
    expect(nodes.get(failing!)).toMatchObject({ kubeletVersion: '1.30.4', unschedulable: true });
    expect(nodes.get(failing!)!.annotations[ANNOTATION_CORDONED_BY]).toBe(id);
    const upgradedWorkers = [...nodes.values()].filter((n) => n.role === 'worker' && n.kubeletVersion === target);
    expect(upgradedWorkers).toHaveLength(2); // batch 1 and the sibling; no batch 3 started

    // Act: the operator repairs the node, then resumes
    await annotateNode(stack.sim, failing!, { [ANNOTATION_SIM_FAIL_UPGRADE]: null });
    await resumeUpgrade(stack.controls, stack.clusterId, id);
    const done = await stack.waitForUpgrade(id, (x) => x.status !== 'running', 60_000);

    // Assess: retried first, alone (ramp at 1), then upgraded and schedulable
    expect(done.status).toBe('succeeded');
    const workerBatches = (await listBatches(stack.db, id)).filter((b) => b.kind === 'worker');
    expect(workerBatches[2]!.nodes.map((n) => n.name)).toEqual([failing]);
    expect(workerBatches[2]!.nodes[0]!.jobName).not.toBe(workerBatches[1]!.nodes.find((n) => n.name === failing)!.jobName);
    const repaired = await stack.driver.getNode(failing!);
    expect(repaired).toMatchObject({ kubeletVersion: target, unschedulable: false });
    expect(repaired.annotations[ANNOTATION_CORDONED_BY]).toBeUndefined();
    expect(stack.sim.objects('jobs', 'kube-upgrade')).toEqual([]);
  });
});

describe('a PodDisruptionBudget that never allows a disruption', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // masters take 300 ms each: time to add the PDB after the precheck and before the first worker drains
    stack = await startTestStack({ sim: { upgradeMs: 300 }, env: { DRAIN_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => stack?.stop());

  it('pauses the upgrade after the drain timeout with the PDB and pod named, and gives the node back uncordoned', async () => {
    // Prepare: once the precheck has passed (it fails on a zero-budget PDB), a pod on the first worker to go behind such a PDB
    const id = 'upg-pdb';
    const first = planFor(stack.clusterId)[0]![0]!;
    await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: id, targetVersion: target });
    await stack.waitForUpgrade(id, (x) => x.phase === 'masters');

    // Act
    await pinUnevictablePod(stack.sim, first, 'pinned');
    const paused = await stack.waitForUpgrade(id, (x) => x.status === 'paused');

    // Assess
    expect(paused.error).toMatchObject({ reason: 'DrainTimeout', node: first });
    expect(paused.error?.message).toContain('pinned-never');
    expect(paused.error?.message).toContain('default/pinned');
    expect(paused.error?.remedy).toMatch(/pinned-never/);
    const node = await stack.driver.getNode(first);
    expect(node).toMatchObject({ kubeletVersion: '1.30.4', unschedulable: false });
    expect(node.annotations[ANNOTATION_CORDONED_BY]).toBeUndefined();
    expect(stack.sim.objects('jobs', 'kube-upgrade').filter((j) => j.metadata.labels?.['kupgrade.io/node'] === first)).toEqual([]);
    expect(stack.sim.object('pods', 'default', 'pinned')).toBeDefined();
    // it kept asking until the timeout rather than giving up at the first refusal
    const evictions = stack.sim.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/namespaces/default/pods/pinned/eviction');
    expect(evictions.length).toBeGreaterThan(1);
  });
});

describe('a node whose upgrade never finishes', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // the simulated upgrade takes ten minutes; a node may take one second
    stack = await startTestStack({ sim: { masters: 1, workers: 2, upgradeMs: 600_000 }, env: { NODE_UPGRADE_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => stack?.stop());

  it('fails past NODE_UPGRADE_TIMEOUT_SECONDS and pauses the upgrade naming the node and its Job, keeping the node cordoned', async () => {
    // Act
    const id = 'upg-node-timeout';
    await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: id, targetVersion: target });
    const paused = await stack.waitForUpgrade(id, (x) => x.status === 'paused');

    // Assess: the master's Job is still running; the node is failed, still cordoned by this upgrade, and retried first on resume
    const [job] = stack.sim.objects('jobs', 'kube-upgrade').filter((j) => j.metadata.labels?.['kupgrade.io/node'] === 'master-1');
    expect(job).toBeDefined();
    expect(paused.error).toMatchObject({ reason: 'NodeUpgradeTimeout', node: 'master-1' });
    expect(paused.error?.message).toContain(
      `node master-1 did not finish its upgrade within 1s of the start of its Job kube-upgrade/${job!.metadata.name}: the Job is still running`,
    );
    expect(paused.error?.remedy).toContain(`describe job ${job!.metadata.name}`);
    expect(paused.retryFirst).toEqual(['master-1']);
    const batch = (await listBatches(stack.db, id)).find((b) => b.kind === 'master')!;
    expect(batch).toMatchObject({ status: 'failed', nodes: [expect.objectContaining({ name: 'master-1', step: 'failed', jobName: job!.metadata.name })] });
    const node = await stack.driver.getNode('master-1');
    expect(node).toMatchObject({ kubeletVersion: '1.30.4', unschedulable: true });
    expect(node.annotations[ANNOTATION_CORDONED_BY]).toBe(id);
  });
});
