import * as z from 'zod';
import type { ClusterDriver } from '../kube/clusterDriver.js';
import type { NodeProgress, UpgradeEvent } from '../domain/upgrade.js';
import { afterFault } from '../domain/precedence.js';
import { markPaused } from '../domain/upgradeLifecycle.js';
import { isTerminal } from '../domain/upgradeStatus.js';
import { getBatch, saveBatch } from '../store/batches.js';
import { requireCluster } from '../store/clusters.js';
import { getUpgrade, updateUpgradeRecording } from '../store/upgrades.js';
import type { PhaseContext, StepState } from './context.js';
import { stepState } from './stepState.js';
import { keepLeaseWhilePaused } from './clusterLease.js';
import { settleUnstartedNode } from './advanceNode.js';
import { mapLimit } from '../shared/mapLimit.js';
import { describeError } from './taskError.js';

const OnErrorInputSchema = z.object({
  input: z
    .object({
      clusterId: z.string().optional(),
      upgradeId: z.string().optional(),
      input: z.object({ clusterId: z.string().optional(), upgradeId: z.string().optional() }).loose().optional(),
    })
    .loose(),
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
  const driver = await driverIfReachable(ctx, u.clusterId);
  if (driver) await releaseUnstartedNodes(ctx, driver, u.id, u.currentBatch, now);
  // The fault outranks a cancel in progress (src/domain/precedence.ts): the upgrade stops paused with it, the pause and its event in one write.
  const paused = await updateUpgradeRecording(ctx.db, u.clusterId, u.id, (cur) => {
    // a retried OnError finds its own pause written: the pause and its event stand once
    if (isTerminal(cur.status) || (cur.status === 'paused' && cur.error?.reason === reason.reason && cur.error.message === reason.message)) return null;
    const { cancelCutShort } = afterFault(cur);
    const message = `upgrade paused by an error (${reason.reason}): ${reason.message}${cancelCutShort ? '; the cancel in progress stopped: cancel again once the cause is fixed' : ''}`;
    return {
      upgrade: { ...markPaused(cur, { now, expirySeconds: ctx.config.expirySeconds, error: reason }), cancelRequested: false },
      events: [{ at: now, type: 'UpgradePaused', message, ...(reason.node ? { node: reason.node } : {}) }],
    };
  });
  if (driver) await keepLeaseWhilePaused(ctx, paused, driver);
  return stepState(paused, ctx.config);
}

/** Nodes of one batch settled at once by the error path. */
const RELEASE_CONCURRENCY = 16;

async function releaseUnstartedNodes(ctx: PhaseContext, driver: ClusterDriver, upgradeId: string, batchNumber: number | null, now: string): Promise<void> {
  if (batchNumber === null) return;
  const batch = await getBatch(ctx.db, upgradeId, batchNumber);
  if (!batch) return;
  const beforeJob = (n: NodeProgress) => n.step === 'draining' || n.step === 'pending';
  if (!batch.nodes.some(beforeJob)) return;
  const events: UpgradeEvent[] = [];
  const nodes = await mapLimit(batch.nodes, RELEASE_CONCURRENCY, async (n) => {
    if (!beforeJob(n)) return n;
    try {
      const settled = await settleUnstartedNode(driver, { upgradeId, attempt: batchNumber, node: n, now });
      if (settled.inFlight) {
        events.push(...settled.untold.map((told) => ({ at: now, ...told, node: n.name })));
        return settled.node;
      }
      if (settled.uncordoned)
        events.push({ at: now, type: 'NodeUncordoned', node: n.name, message: `node ${n.name} uncordoned: the error stopped it before its upgrade job` });
      return { name: n.name, role: n.role, step: 'pending' as const, ...(n.heldBefore ? { heldBefore: true } : {}) };
    } catch {
      // This node stays as stored; the others' releases stand and are recorded.
      return n;
    }
  });
  await saveBatch(ctx.db, { ...batch, nodes }, batch, { events });
}

/** The cluster may be the thing that failed: then nothing of it is touched, and the cordon annotations still name this upgrade, so resume repairs it. */
async function driverIfReachable(ctx: PhaseContext, clusterId: string): Promise<ClusterDriver | undefined> {
  try {
    return await ctx.driverFor(await requireCluster(ctx.db, clusterId));
  } catch {
    return undefined;
  }
}
