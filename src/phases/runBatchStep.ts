import { isDeepStrictEqual } from 'node:util';
import { batchOutcome, isNodeSettled, type Batch, type NodeProgress, type Upgrade } from '../domain/upgrade.js';
import { nodeEventFor } from '../domain/nodeEvents.js';
import { nextBatchPollSeconds, shortestJobSeconds } from '../domain/pollTiming.js';
import { stopFor } from '../domain/precedence.js';
import { settleBatch as decideSettled } from '../domain/settledBatch.js';
import { getBatch, saveBatch } from '../store/batches.js';
import type { ClusterDriver } from '../kube/clusterDriver.js';
import { requireCluster, type Cluster } from '../store/clusters.js';
import { adoptableCordon, holdLease, keepLeaseWhilePaused, pauseForLease } from './clusterLease.js';
import type { UpgradeEvent } from '../domain/upgrade.js';
import { requireUpgrade, updateUpgradeRecording } from '../store/upgrades.js';
import { eventExpiry } from '../domain/expiry.js';
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
  // No change to the cluster without its Lease: another upgrade holding it pauses this one, touching nothing.
  const lease = await holdLease(ctx, u, driver);
  if (!lease.held) return stepState(await pauseForLease(ctx, u, lease.error), ctx.config);
  if (lease.takenFrom) u = await requireUpgrade(ctx.db, input.clusterId, input.upgradeId);
  const out = await moveBatch(ctx, kind, u, cluster, driver);
  await keepLeaseWhilePaused(ctx, out.upgrade, driver);
  return stepState(out.upgrade, ctx.config, out.opts);
}

async function moveBatch(
  ctx: PhaseContext,
  kind: 'master' | 'worker',
  read: Upgrade,
  cluster: Cluster,
  driver: ClusterDriver,
): Promise<{ upgrade: Upgrade; opts?: { wait: boolean; pollSeconds?: number } }> {
  let u = read;
  let batch: Batch | undefined;
  if (u.currentBatch === null) {
    const decision = await crossBoundary(ctx, { upgrade: u, cluster, kind, driver });
    if (decision.kind !== 'batch')
      return { upgrade: decision.upgrade, ...(decision.kind === 'wait' ? { opts: { wait: true, pollSeconds: decision.pollSeconds } } : {}) };
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
    // a stop on the way (precedence.ts) lets the nodes that started finish and starts no other
    holdNewNodes: stopFor(u).kind !== 'none',
    mayAdopt: adoptableCordon(ctx, u),
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
  // a poll in which no node moved writes nothing: the DynamoDB writes follow progress, not the clock
  // the nodes' events go with the batch's write (StampedEvent): a step cut short after it loses none of them
  if (status !== 'running' || !isDeepStrictEqual(nodes, batch.nodes))
    batch = await saveBatch(ctx.db, { ...batch, nodes, status, ...(status !== 'running' ? { finishedAt: now } : {}) }, batch, {
      events,
      expiresAt: eventExpiry(u),
    });
  else await recordEvents(ctx.db, u, events);
  await recordOnNodes(driver, events);
  // Raised only once every node's progress is stored, so the error path (OnError) sees which nodes it must give back.
  if (errors.length > 0) throw errors[0];
  if (status === 'running') return { upgrade: u, opts: { wait: true, pollSeconds: nextPoll(ctx, u, nodes, now) } };
  return { upgrade: await settleBatch(ctx, u, batch, now) };
}

/** The next look at the batch, timed by the Jobs' runs seen so far (src/domain/pollTiming.ts). */
function nextPoll(ctx: PhaseContext, u: Upgrade, nodes: readonly NodeProgress[], stepStartedAt: string): number {
  const expectedJobSeconds = shortestJobSeconds(u.jobSeconds, nodes);
  return nextBatchPollSeconds(nodes, {
    now: ctx.now(),
    stepStartedAt,
    pollSeconds: ctx.config.pollSeconds,
    nodeUpgradeTimeoutSeconds: ctx.config.nodeUpgradeTimeoutSeconds,
    ...(expectedJobSeconds !== undefined ? { expectedJobSeconds } : {}),
  });
}

/** The batch settled: one conditional write of the upgrade (src/domain/settledBatch.ts decides it on the stored item), carrying its events. */
async function settleBatch(ctx: PhaseContext, u: Upgrade, batch: Batch, now: string): Promise<Upgrade> {
  return updateUpgradeRecording(ctx.db, u.clusterId, u.id, (cur) => {
    const out = decideSettled(cur, batch, { now, expirySeconds: ctx.config.expirySeconds });
    return out.upgrade && { upgrade: out.upgrade, events: out.events };
  });
}

/** Kubernetes Events mirror each node's steps, so `kubectl describe node` shows the upgrade; best effort: the upgrade's own events are the record. */
async function recordOnNodes(driver: ClusterDriver, events: readonly UpgradeEvent[]): Promise<void> {
  const specs = events.map(nodeEventFor).filter((e) => e !== undefined);
  await mapLimit(specs, NODE_CONCURRENCY, (e) => driver.recordNodeEvent(e).catch(() => undefined));
}
