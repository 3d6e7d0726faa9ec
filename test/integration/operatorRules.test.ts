import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ANNOTATION_CORDONED_BY } from '../../src/cluster/labels.js';
import { listBatches } from '../../src/store/batches.js';
import { pauseRequest, requestUpgrade, resumeRequest } from '../../src/upgrades/control.js';
import { cordonByOperator, setNodeReady } from '../helpers/simOps.js';
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
      const u = await requestUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-op-cordon', targetVersion: target });
      const done = await s.waitForUpgrade(u.id, (x) => x.status !== 'running');

      expect(done.status).toBe('succeeded');
      expect(done.precheck?.results.find((r) => r.name === 'nodes-ready')).toMatchObject({ status: 'warn', message: expect.stringContaining('worker-4') });
      const node = await s.driver.getNode('worker-4');
      expect(node).toMatchObject({ kubeletVersion: target, unschedulable: true });
      expect(node.annotations[ANNOTATION_CORDONED_BY]).toBeUndefined();
      for (const n of (await s.driver.listNodes()).filter((x) => x.name !== 'worker-4')) expect(n.unschedulable).toBe(false);
    });
  });

  describe('validation between batches', () => {
    beforeEach(async () => {
      stack = await startTestStack({ sim: { masters: 1, workers: 20, upgradeMs: 400 }, env: { VALIDATION_TIMEOUT_SECONDS: '2' } });
    });

    it('holds the next batch while a node that was Ready is not, and pauses naming it after the timeout', async () => {
      const s = stack!;
      const u = await requestUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-validate', targetVersion: target });
      const inBatch1 = await s.waitForUpgrade(u.id, (x) => x.workerBatches === 1 && x.currentBatch !== null);
      const batch1 = (await listBatches(s.db, u.id)).find((b) => b.number === inBatch1.currentBatch)!;
      const bystander = inBatch1.plan!.batches.flat().find((n) => !batch1.nodes.some((b) => b.name === n))!;

      // a worker outside the batch goes NotReady while the batch runs
      await setNodeReady(s.sim, bystander, false);
      const paused = await s.waitForUpgrade(u.id, (x) => x.status === 'paused');

      expect(paused.error).toMatchObject({ reason: 'ValidationFailed' });
      expect(paused.error?.message).toContain(`node ${bystander} was Ready before the batch and is not Ready now`);
      expect(paused.workerBatches).toBe(1);
      expect((await listBatches(s.db, u.id)).filter((b) => b.kind === 'worker')).toHaveLength(1);

      // once the node is back, resume validates the batch and the upgrade finishes
      await setNodeReady(s.sim, bystander, true);
      await resumeRequest(s.controls, s.clusterId, u.id);
      expect((await s.waitForUpgrade(u.id, (x) => x.status !== 'running', 60_000)).status).toBe('succeeded');
    });
  });

  describe('the plan', () => {
    beforeEach(async () => {
      stack = await startTestStack({ sim: { masters: 3, workers: 20, upgradeMs: 300 } });
    });

    it('is on the upgrade before any node moves, is followed exactly, and starts again at 1 after a resume', async () => {
      const s = stack!;
      const u = await requestUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-plan', targetVersion: target });
      const planned = await s.waitForUpgrade(u.id, (x) => x.phase !== 'precheck');
      const plan = planned.plan!;
      expect(plan.masters).toEqual(['master-1', 'master-2', 'master-3']);
      expect(plan.batches.map((b) => b.length)).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1]);
      expect(planned.precheck?.plan).toEqual(plan);

      // pause during the third worker batch, then resume: the rest is cut again from 1
      await s.waitForUpgrade(u.id, (x) => x.workerBatches === 3 && x.currentBatch !== null);
      await pauseRequest(s.controls, s.clusterId, u.id);
      const paused = await s.waitForUpgrade(u.id, (x) => x.status === 'paused');
      const ran = (await listBatches(s.db, u.id)).filter((b) => b.kind === 'worker').map((b) => b.nodes.map((n) => n.name));
      expect(ran).toEqual(plan.batches.slice(0, 3));
      expect(paused.plan!.batches.flat()).toEqual(plan.batches.slice(3).flat());

      const resumed = await resumeRequest(s.controls, s.clusterId, u.id);
      expect(resumed.plan!.batches.map((b) => b.length)).toEqual([1, 2, 2, 2, 2, 2, 2, 2]);
      expect(resumed.plan!.batches.flat()).toEqual(plan.batches.slice(3).flat());
      await s.waitForUpgrade(u.id, (x) => x.status === 'succeeded', 60_000);
      const after = (await listBatches(s.db, u.id)).filter((b) => b.kind === 'worker').slice(3).map((b) => b.nodes.map((n) => n.name));
      expect(after).toEqual(resumed.plan!.batches);
    });
  });
});
