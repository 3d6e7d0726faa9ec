import { batchOutcome, isNodeSettled, type Batch, type NodeProgress, type Upgrade } from '../domain/upgrade.js';
import { pauseUpgrade, rampAfterBatch } from '../domain/upgradeLifecycle.js';
import { getBatch, saveBatch } from '../store/batches.js';
import { requireCluster } from '../store/clusters.js';
import type { UpgradeEvent } from '../store/events.js';
import { requireUpgrade, updateUpgrade } from '../store/upgrades.js';
import { advanceNode } from './advanceNode.js';
import { crossBoundary } from './batchBoundary.js';
import type { PhaseContext, StepState } from './context.js';
import { recordEvents } from './recordEvents.js';
import { stepState } from './stepState.js';
import { mapLimit } from '../shared/mapLimit.js';

/** How many nodes of one batch are driven at once by one invocation. */
const NODE_CONCURRENCY = 16;

/**
 * One reconcile step of the masters or the nodes phase: at a boundary choose
 * the next batch; inside a batch move every node one step; when the batch
 * settles, record it and pause if a node failed.
 */
export async function runBatchStep(ctx: PhaseContext, kind: 'master' | 'worker', input: { clusterId: string; upgradeId: string }): Promise<StepState> {
  const phase = kind === 'master' ? 'masters' : 'nodes';
  let u = await requireUpgrade(ctx.db, input.clusterId, input.upgradeId);
  // A cancel of an upgrade paused mid-batch still lets the nodes in flight finish before cleanup.
  const movable = ['running', 'pausing'].includes(u.status) || (u.status === 'paused' && u.cancelRequested);
  if (u.phase !== phase || !movable) return stepState(u, ctx.config);
  const cluster = await requireCluster(ctx.db, u.clusterId);
  const driver = await ctx.driverFor(cluster);

  let batch: Batch | undefined;
  if (u.currentBatch === null) {
    const decision = await crossBoundary(ctx, { upgrade: u, cluster, kind, driver });
    if (decision.kind !== 'batch') return stepState(decision.upgrade, ctx.config, decision.kind === 'wait' ? { wait: true, pollSeconds: decision.pollSeconds } : {});
    ({ upgrade: u, batch } = decision);
  } else {
    batch = await getBatch(ctx.db, u.id, u.currentBatch);
    if (!batch) throw new Error(`upgrade ${u.id} points at batch ${u.currentBatch}, which does not exist`);
  }

  const now = ctx.now();
  const events: UpgradeEvent[] = [];
  const stepCtx = {
    driver,
    upgradeId: u.id,
    targetVersion: u.toVersion,
    recipe: cluster.recipe,
    attempt: batch.number,
    now,
    drainTimeoutSeconds: ctx.config.drainTimeoutSeconds,
    nodeUpgradeTimeoutSeconds: ctx.config.nodeUpgradeTimeoutSeconds,
    holdNewNodes: u.pauseRequested || u.cancelRequested,
  };
  const errors: Error[] = [];
  const nodes: NodeProgress[] = await mapLimit(batch.nodes, NODE_CONCURRENCY, async (n) => {
    if (isNodeSettled(n.step)) return n;
    const out = await advanceNode(stepCtx, n);
    events.push(...out.events);
    if (out.error) errors.push(out.error);
    return out.node;
  });
  const status = batchOutcome(nodes);
  batch = await saveBatch(ctx.db, { ...batch, nodes, status, ...(status !== 'running' ? { finishedAt: now } : {}) }, batch.version);
  await recordEvents(ctx.db, u, events);
  // Raised only once every node's progress is stored, so the error path (OnError) sees which nodes it must give back.
  if (errors.length > 0) throw errors[0];
  if (status === 'running') return stepState(u, ctx.config, { wait: true });
  return stepState(await settleBatch(ctx, u, batch, now), ctx.config);
}

async function settleBatch(ctx: PhaseContext, u: Upgrade, batch: Batch, now: string): Promise<Upgrade> {
  const done = batch.nodes.filter((n) => n.step === 'done').length;
  const failed = batch.nodes.filter((n) => n.step === 'failed');
  const firstError = failed[0]?.error;
  let pausedByFailure = false;
  const settled = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => {
    if (cur.currentBatch !== batch.number) return null;
    const next: Upgrade = {
      ...cur,
      currentBatch: null,
      // a batch in flight across a resume leaves the ramp where the resume put it
      rampIndex: rampAfterBatch(cur, batch),
      retryFirst: failed.map((n) => n.name),
      masters: batch.kind === 'master' ? { ...cur.masters, upgraded: cur.masters.upgraded + done } : cur.masters,
      nodes: batch.kind === 'worker' ? { ...cur.nodes, upgraded: cur.nodes.upgraded + done } : cur.nodes,
      updatedAt: now,
    };
    // A pending cancel wins over the pause a failure would bring: the execution goes on to cleanup (the failed node stays cordoned).
    pausedByFailure = !!firstError && !cur.cancelRequested;
    if (firstError && !pausedByFailure) return { ...next, error: firstError };
    if (firstError) return pauseUpgrade(next, { now, expirySeconds: ctx.config.expirySeconds, error: firstError });
    return { ...next, validation: { batch: batch.number, since: now, passes: 0 } };
  });
  const label = batch.kind === 'master' ? `master ${batch.index}` : `worker batch ${batch.index}`;
  await recordEvents(ctx.db, settled, [
    { at: now, type: firstError ? 'BatchFailed' : 'BatchDone', message: `${label} finished: ${done} upgraded, ${failed.length} failed` },
    ...(firstError && pausedByFailure ? [{ at: now, type: 'UpgradePaused', message: `upgrade paused: ${firstError.message}`, node: firstError.node }] : []),
  ]);
  return settled;
}
