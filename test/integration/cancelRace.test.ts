import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PHASE_HANDLERS } from '../../local/phaseHandlers.js';
import type { PhaseContext, StepState } from '../../src/phases/context.js';
import { runCleanup } from '../../src/phases/cleanup.js';
import { runBatchStep } from '../../src/phases/runBatchStep.js';
import { ANNOTATION_SIM_FAIL_UPGRADE } from '../../local/kube-sim/annotations.js';
import { getBatch } from '../../src/store/batches.js';
import { requireCluster } from '../../src/store/clusters.js';
import { listEvents } from '../../src/store/events.js';
import { cancelUpgrade, pauseUpgrade } from '../../src/upgrades/control.js';
import { createUpgrade } from '../../src/upgrades/createUpgrade.js';
import type { Upgrade } from '../../src/domain/upgrade.js';
import { annotateNode } from '../helpers/simOps.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';
const byPhase: Record<string, string> = { precheck: 'Precheck', masters: 'Master', nodes: 'NodeBatch', cleanup: 'Cleanup' };

/**
 * The phase context with one interleaving forced: right after the step's
 * first read of the upgrade, a user's cancel is written. The step then
 * decides on what it read, and writes on top of the cancel.
 */
function cancelAfterFirstRead(stack: TestStack, upgradeId: string): PhaseContext {
  let armed = true;
  const real = stack.db.doc;
  const doc = {
    async send(command: unknown, ...rest: unknown[]) {
      const out = await (real.send as (c: unknown, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
      if (armed && command instanceof GetCommand && command.input.Key?.sk === `UPGRADE#${upgradeId}`) {
        armed = false;
        await cancelUpgrade(stack.controls, stack.clusterId, upgradeId);
      }
      return out;
    },
  };
  return { ...stack.ctx, db: { ...stack.db, doc: doc as unknown as DynamoDBDocumentClient } };
}

/** Steps the upgrade by hand, as the state machine would, until `until` holds. */
async function driveUpgrade(stack: TestStack, upgradeId: string, until: (u: Upgrade) => boolean): Promise<Upgrade> {
  const input = { clusterId: stack.clusterId, upgradeId };
  for (let i = 0; i < 500; i++) {
    const u = await stack.upgrade(upgradeId);
    if (until(u)) return u;
    await PHASE_HANDLERS[byPhase[u.phase]!]!(input);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`upgrade ${upgradeId} did not get there`);
}

describe('a cancel written while a pausing upgrade reaches its stopping point', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 2, upgradeMs: 30 } });
  });
  afterAll(async () => stack?.stop());

  const drive = (upgradeId: string, until: (u: Upgrade) => boolean) => driveUpgrade(stack, upgradeId, until);

  const start = (upgradeId: string) => createUpgrade(stack.db, { clusterId: stack.clusterId, upgradeId, targetVersion: target, now: new Date().toISOString() });

  it('at a batch boundary: goes to cleanup instead of stopping paused with the cancel pending', async () => {
    // Prepare: the masters phase at its first boundary, a pause requested
    const input = { clusterId: stack.clusterId, upgradeId: 'upg-race-boundary' };
    await start(input.upgradeId);
    await drive(input.upgradeId, (u) => u.phase === 'masters');
    expect(await pauseUpgrade(stack.controls, input.clusterId, input.upgradeId)).toMatchObject({ status: 'pausing' });

    // Act: the step reads "pausing", the cancel lands, the step writes
    const state = await runBatchStep(cancelAfterFirstRead(stack, input.upgradeId), 'master', input);

    // Assess: never paused (a paused item would take the TTL, a 'paused' event and notification, and a retried cancel
    // would start a second execution beside this one); this execution goes straight on to cleanup
    expect(state).toMatchObject({ phase: 'cleanup', status: 'pausing', stop: false });
    const u = await stack.upgrade(input.upgradeId);
    expect(u).toMatchObject({ phase: 'cleanup', status: 'pausing', cancelRequested: true, currentBatch: null, batchSeq: 0 });
    expect(u.pausedAt).toBeUndefined();
    expect(u.expiresAt).toBeUndefined();
    const ended = (await PHASE_HANDLERS.Cleanup!(input)) as StepState;
    expect(ended).toMatchObject({ status: 'cancelled', stop: true });
    const types = (await listEvents(stack.db, input.upgradeId)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['CancelRequested', 'UpgradeCancelled']));
    expect(types).not.toContain('UpgradePaused');
  });

  it('before cleanup: ends cancelled instead of stopping paused with the cancel pending', async () => {
    // Prepare: every node upgraded, the cleanup phase next, a pause requested
    const input = { clusterId: stack.clusterId, upgradeId: 'upg-race-cleanup' };
    await start(input.upgradeId);
    await drive(input.upgradeId, (u) => u.phase === 'cleanup');
    expect(await pauseUpgrade(stack.controls, input.clusterId, input.upgradeId)).toMatchObject({ status: 'pausing' });

    // Act
    const state = await runCleanup(cancelAfterFirstRead(stack, input.upgradeId), input);

    // Assess: the cancel is carried out and the cluster is free
    expect(state).toMatchObject({ phase: 'done', status: 'cancelled', stop: true });
    const u = await stack.upgrade(input.upgradeId);
    expect(u).toMatchObject({ status: 'cancelled', cancelRequested: true });
    expect(u.pausedAt).toBeUndefined();
    expect((await requireCluster(stack.db, stack.clusterId)).activeUpgradeId).toBeUndefined();
    const types = (await listEvents(stack.db, input.upgradeId)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['CancelRequested', 'HelpersRemoved', 'UpgradeCancelled']));
    expect(types).not.toContain('UpgradePaused');
  });
});

describe('a cancel written while a batch with a failed node is in flight', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 2, upgradeMs: 30 } });
  });
  afterAll(async () => stack?.stop());

  it('when a batch settles with a failed node: the pending cancel wins over the pause the failure would bring', async () => {
    // Prepare: the first master's upgrade will fail; it has started when the pause and then the cancel land
    const input = { clusterId: stack.clusterId, upgradeId: 'upg-race-failed-batch' };
    await annotateNode(stack.sim, 'master-1', { [ANNOTATION_SIM_FAIL_UPGRADE]: 'true' });
    await createUpgrade(stack.db, { clusterId: stack.clusterId, upgradeId: input.upgradeId, targetVersion: target, now: new Date().toISOString() });
    await driveUpgrade(stack, input.upgradeId, (u) => u.currentBatch !== null && u.phase === 'masters');
    for (let i = 0; i < 100 && !(await getBatch(stack.db, input.upgradeId, 1))?.nodes.every((n) => n.step === 'upgrading'); i++) {
      await PHASE_HANDLERS.Master!(input);
    }
    await pauseUpgrade(stack.controls, input.clusterId, input.upgradeId);
    await cancelUpgrade(stack.controls, input.clusterId, input.upgradeId);

    // Act: the steps go on, as the running execution would
    const ended = await driveUpgrade(stack, input.upgradeId, (u) => u.phase === 'done');

    // Assess: cancelled without ever stopping paused; the failed master stays cordoned (it may be broken)
    expect(ended).toMatchObject({ status: 'cancelled', error: { reason: 'UpgradeJobFailed', node: 'master-1' } });
    expect(ended.pausedAt).toBeUndefined();
    const types = (await listEvents(stack.db, input.upgradeId)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['BatchFailed', 'UpgradeCancelled']));
    expect(types).not.toContain('UpgradePaused');
    expect((await stack.driver.getNode('master-1')).unschedulable).toBe(true);
    await annotateNode(stack.sim, 'master-1', { [ANNOTATION_SIM_FAIL_UPGRADE]: null });
  });
});
