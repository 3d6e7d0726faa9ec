import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ANNOTATION_CORDONED_BY } from '../../src/domain/clusterMarks.js';
import { ANNOTATION_SIM_FAIL_UPGRADE } from '../../local/kube-sim/annotations.js';
import { listBatches } from '../../src/store/batches.js';
import { cancelUpgrade, pauseUpgrade, startUpgrade, resumeUpgrade } from '../../src/upgrades/control.js';
import { annotateNode, cordonByOperator, setNodeReady } from '../helpers/simOps.js';
import { planOf, precheckPlanOf } from '../helpers/plans.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';

describe('rules operators learned the hard way', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });
  afterAll(async () => stack?.stop());

  describe('a node an operator cordoned before the upgrade', () => {
    beforeEach(async () => {
      stack = await startTestStack({ sim: { masters: 1, workers: 6 } });
    });

    it('is upgraded and left cordoned; the precheck warns about it', async () => {
      const s = stack!;
      await cordonByOperator(s.sim, 'worker-4');
      const u = await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-op-cordon', targetVersion: target });
      const done = await s.waitForUpgrade(u.id, (x) => x.status !== 'running');

      expect(done.status).toBe('succeeded');
      expect(done.precheck?.results.find((r) => r.name === 'nodes-ready')).toMatchObject({ status: 'warn', message: expect.stringContaining('worker-4') });
      const node = await s.driver.getNode('worker-4');
      expect(node).toMatchObject({ kubeletVersion: target, unschedulable: true });
      expect(node.annotations[ANNOTATION_CORDONED_BY]).toBeUndefined();
      for (const n of (await s.driver.listNodes()).filter((x) => x.name !== 'worker-4')) expect(n.unschedulable).toBe(false);
    });
  });

  describe('a node an earlier upgrade left cordoned', () => {
    beforeEach(async () => {
      stack = await startTestStack({ sim: { masters: 1, workers: 4 } });
    });

    it('is taken over by the next upgrade, which upgrades it and gives it back; the precheck names it', async () => {
      // Prepare: the Job on worker-2 fails, the upgrade pauses with the node cordoned by it, and is cancelled
      const s = stack!;
      await annotateNode(s.sim, 'worker-2', { [ANNOTATION_SIM_FAIL_UPGRADE]: 'true' });
      const first = await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-left-cordon', targetVersion: target });
      expect((await s.waitForUpgrade(first.id, (x) => x.status === 'paused')).error).toMatchObject({ reason: 'UpgradeJobFailed', node: 'worker-2' });
      await cancelUpgrade(s.controls, s.clusterId, first.id);
      await s.waitForUpgrade(first.id, (x) => x.status === 'cancelled');
      const left = await s.driver.getNode('worker-2');
      expect(left.unschedulable).toBe(true);
      expect(left.annotations[ANNOTATION_CORDONED_BY]).toBe(first.id);

      // Act: the operator repairs the node and starts a new upgrade to the same target
      await annotateNode(s.sim, 'worker-2', { [ANNOTATION_SIM_FAIL_UPGRADE]: null });
      const second = await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-after-left-cordon', targetVersion: target });
      const done = await s.waitForUpgrade(second.id, (x) => x.status !== 'running', 60_000);

      // Assess: upgraded, schedulable, no cordon annotation; the precheck said it would be given back, naming the old upgrade
      expect(done.status).toBe('succeeded');
      const nodesReady = done.precheck?.results.find((r) => r.name === 'nodes-ready');
      expect(nodesReady).toMatchObject({ status: 'warn', message: expect.stringContaining(`worker-2 (upgrade ${first.id})`) });
      expect(nodesReady?.message).not.toContain('operator');
      const node = await s.driver.getNode('worker-2');
      expect(node).toMatchObject({ kubeletVersion: target, unschedulable: false });
      expect(node.annotations[ANNOTATION_CORDONED_BY]).toBeUndefined();
      for (const n of await s.driver.listNodes())
        expect({ name: n.name, version: n.kubeletVersion, unschedulable: n.unschedulable }).toEqual({ name: n.name, version: target, unschedulable: false });
    });
  });

  describe('validation between batches', () => {
    beforeEach(async () => {
      stack = await startTestStack({ sim: { masters: 1, workers: 20, upgradeMs: 400 }, env: { VALIDATION_TIMEOUT_SECONDS: '2' } });
    });

    it('holds the next batch while a node that was Ready is not, and pauses naming it after the timeout', async () => {
      const s = stack!;
      const u = await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-validate', targetVersion: target });
      const inBatch1 = await s.waitForUpgrade(u.id, (x) => x.workerBatches === 1 && x.currentBatch !== null);
      const batch1 = (await listBatches(s.db, u.id)).find((b) => b.number === inBatch1.currentBatch)!;
      const bystander = (await planOf(s.db, inBatch1)).batches.flat().find((n) => !batch1.nodes.some((b) => b.name === n))!;

      // a worker outside the batch goes NotReady while the batch runs
      await setNodeReady(s.sim, bystander, false);
      const paused = await s.waitForUpgrade(u.id, (x) => x.status === 'paused');

      expect(paused.error).toMatchObject({ reason: 'ValidationFailed' });
      expect(paused.error?.message).toContain(`node ${bystander} was Ready before the batch and is not Ready now`);
      expect(paused.workerBatches).toBe(1);
      expect((await listBatches(s.db, u.id)).filter((b) => b.kind === 'worker')).toHaveLength(1);

      // once the node is back, resume validates the batch and the upgrade finishes
      await setNodeReady(s.sim, bystander, true);
      await resumeUpgrade(s.controls, s.clusterId, u.id);
      expect((await s.waitForUpgrade(u.id, (x) => x.status !== 'running', 60_000)).status).toBe('succeeded');
    });
  });

  describe('the plan', () => {
    beforeEach(async () => {
      stack = await startTestStack({ sim: { masters: 3, workers: 20, upgradeMs: 300 } });
    });

    it('is on the upgrade before any node moves, is followed exactly, and starts again at 1 after a resume', async () => {
      const s = stack!;
      const u = await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-plan', targetVersion: target });
      const planned = await s.waitForUpgrade(u.id, (x) => x.phase !== 'precheck');
      // the plan is read from its pages (issue 22: no item grows with the cluster)
      const plan = await planOf(s.db, planned);
      expect(plan.masters).toEqual(['master-1', 'master-2', 'master-3']);
      expect(plan.batches.map((b) => b.length)).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1]);
      expect(await precheckPlanOf(s.db, planned)).toEqual(plan);

      // pause during the third worker batch, then resume: the rest is cut again from 1
      await s.waitForUpgrade(u.id, (x) => x.workerBatches === 3 && x.currentBatch !== null);
      await pauseUpgrade(s.controls, s.clusterId, u.id);
      const paused = await s.waitForUpgrade(u.id, (x) => x.status === 'paused');
      const ran = (await listBatches(s.db, u.id)).filter((b) => b.kind === 'worker').map((b) => b.nodes.map((n) => n.name));
      expect(ran).toEqual(plan.batches.slice(0, 3));
      expect((await planOf(s.db, paused)).batches.flat()).toEqual(plan.batches.slice(3).flat());

      const resumedPlan = await planOf(s.db, await resumeUpgrade(s.controls, s.clusterId, u.id));
      expect(resumedPlan.batches.map((b) => b.length)).toEqual([1, 2, 2, 2, 2, 2, 2, 2]);
      expect(resumedPlan.batches.flat()).toEqual(plan.batches.slice(3).flat());
      await s.waitForUpgrade(u.id, (x) => x.status === 'succeeded', 60_000);
      const after = (await listBatches(s.db, u.id))
        .filter((b) => b.kind === 'worker')
        .slice(3)
        .map((b) => b.nodes.map((n) => n.name));
      expect(after).toEqual(resumedPlan.batches);
    });
  });
});
