import { z } from 'zod';
import type { ClusterDriver } from '../cluster/clusterDriver.js';
import type { NodeProgress, UpgradeError } from '../domain/upgrade.js';
import { pauseUpgrade } from '../domain/upgradeLifecycle.js';
import { isTerminal } from '../domain/upgradeStatus.js';
import { getBatch, saveBatch } from '../store/batches.js';
import { requireCluster } from '../store/clusters.js';
import { getUpgrade, updateUpgrade } from '../store/upgrades.js';
import type { PhaseContext, StepState } from './context.js';
import { recordEvents } from './recordEvents.js';
import { stepState } from './stepState.js';
import { settleUnstartedNode } from './advanceNode.js';
import { mapLimit } from '../shared/mapLimit.js';
import { describeError } from './taskError.js';

export const OnErrorInputSchema = z.object({
  input: z.object({ clusterId: z.string().optional(), upgradeId: z.string().optional(), input: z.object({ clusterId: z.string().optional(), upgradeId: z.string().optional() }).loose().optional() }).loose(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).loose(),
});

/**
 * Any error pauses the upgrade with the reason stored. Nodes of the batch in
 * flight that had not reached their upgrade Job are given back (uncordoned)
 * on a best-effort basis, so a failing step does not leave them cordoned for
 * the length of a pause; nodes with a Job running finish on resume.
 */
export async function runOnError(ctx: PhaseContext, raw: unknown): Promise<StepState> {
  const { input, error } = OnErrorInputSchema.parse(raw);
  const clusterId = input.clusterId ?? input.input?.clusterId;
  const upgradeId = input.upgradeId ?? input.input?.upgradeId;
  const reason = describeError(error);
  if (!clusterId || !upgradeId) throw new Error(`the execution failed before an upgrade existed: ${reason.message}`);
  const u = await getUpgrade(ctx.db, clusterId, upgradeId);
  if (!u) throw new Error(`upgrade ${upgradeId} does not exist: ${reason.message}`);
  if (isTerminal(u.status)) return stepState(u, ctx.config);
  const now = ctx.now();
  await releaseUnstartedNodes(ctx, u.clusterId, u.id, u.currentBatch);
  let cancelCutShort = false;
  // A cancel the error cut short ends with this execution: the upgrade stops paused with the error, and a new cancel starts a new
  // execution (left pending, this execution would run the failing step again and again, and a new cancel would find nothing to do).
  const paused = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => {
    if (isTerminal(cur.status)) return null;
    cancelCutShort = cur.cancelRequested;
    return { ...pauseUpgrade(cur, { now, expirySeconds: ctx.config.expirySeconds, error: reason }), cancelRequested: false };
  });
  const message = `upgrade paused by an error (${reason.reason}): ${reason.message}${cancelCutShort ? '; the cancel in progress stopped: cancel again once the cause is fixed' : ''}`;
  await recordEvents(ctx.db, paused, [{ at: now, type: 'UpgradePaused', message, ...(reason.node ? { node: reason.node } : {}) }]);
  return stepState(paused, ctx.config);
}

/** Nodes of one batch settled at once by the error path. */
const RELEASE_CONCURRENCY = 16;

async function releaseUnstartedNodes(ctx: PhaseContext, clusterId: string, upgradeId: string, batchNumber: number | null): Promise<void> {
  if (batchNumber === null) return;
  const batch = await getBatch(ctx.db, upgradeId, batchNumber);
  if (!batch) return;
  const beforeJob = (n: NodeProgress) => n.step === 'draining' || n.step === 'pending';
  if (!batch.nodes.some(beforeJob)) return;
  let driver: ClusterDriver;
  try {
    driver = await ctx.driverFor(await requireCluster(ctx.db, clusterId));
  } catch {
    // The cluster may be the thing that failed; the cordon annotations still name this upgrade, so resume repairs it.
    return;
  }
  const now = ctx.now();
  const nodes = await mapLimit(batch.nodes, RELEASE_CONCURRENCY, async (n) => {
    if (!beforeJob(n)) return n;
    try {
      const settled = await settleUnstartedNode(driver, { upgradeId, attempt: batchNumber, node: n, now });
      return settled.inFlight ? settled.node : { name: n.name, role: n.role, step: 'pending' as const, ...(n.heldBefore ? { heldBefore: true } : {}) };
    } catch {
      // This node stays as stored; the others' releases stand and are recorded.
      return n;
    }
  });
  await saveBatch(ctx.db, { ...batch, nodes }, batch.version);
}
