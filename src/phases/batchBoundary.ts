import type { ClusterDriver } from '../kube/clusterDriver.js';
import { applyBoundary, decideBoundary, type BoundaryIntent, type BoundaryObservation } from '../domain/boundary.js';
import type { Batch, Upgrade } from '../domain/upgrade.js';
import { createOrAdoptBatch, getBatch, listBatches } from '../store/batches.js';
import type { Cluster } from '../store/clusters.js';
import { keepPlan } from '../store/plans.js';
import { updateUpgradeRecording } from '../store/upgrades.js';
import type { PhaseContext } from './context.js';

export type BoundaryOutcome =
  | { kind: 'stopped'; upgrade: Upgrade }
  | { kind: 'wait'; upgrade: Upgrade; pollSeconds?: number }
  | { kind: 'phaseDone'; upgrade: Upgrade }
  | { kind: 'batch'; upgrade: Upgrade; batch: Batch };

/**
 * Between two batches (or two masters): observe, decide (src/domain/boundary.ts),
 * then one conditional write of the upgrade and its events. A lost race
 * (a pause or cancel written meanwhile) decides again on the stored item, so
 * the decision is always about what is stored. A new batch is recorded before
 * any of its nodes is touched; once recorded it is started, and a pause or
 * cancel that comes later holds the nodes of it that have not started.
 */
export async function crossBoundary(
  ctx: PhaseContext,
  args: { upgrade: Upgrade; cluster: Cluster; kind: 'master' | 'worker'; driver: ClusterDriver },
): Promise<BoundaryOutcome> {
  const { upgrade: read, cluster, kind, driver } = args;
  const now = ctx.now();
  const { config } = ctx;
  let observation: BoundaryObservation | undefined;
  const decide = (upgrade: Upgrade) =>
    decideBoundary({ upgrade, kind, now, settings: config, maintenanceWindow: cluster.maintenanceWindow, ...(observation ? { observation } : {}) });
  let intent = decide(read);
  if (intent.kind === 'observe') {
    observation = await observe(ctx, read, kind, driver);
    intent = decide(read);
  }

  // the plan's names go to pages of their own before the upgrade points at them (src/store/plans.ts)
  const planSummary =
    intent.kind === 'startBatch' || intent.kind === 'phaseDone'
      ? await keepPlan(ctx.db, { upgradeId: read.id }, read.planSummary, intent.recount.plan)
      : undefined;
  const withPlan = { now, expirySeconds: config.expirySeconds, ...(planSummary ? { planSummary } : {}) };
  if (intent.kind === 'startBatch') {
    const batch = await createOrAdoptBatch(ctx.db, { ...intent.batch, status: 'running', startedAt: now, version: 1 });
    const startedWith = intent;
    // the events go with the write; a retried step that finds its batch started writes neither again
    const upgrade = await updateUpgradeRecording(ctx.db, read.clusterId, read.id, (cur) => {
      const next = applyBoundary(cur, startedWith, withPlan);
      return next && { upgrade: next, events: startedWith.events };
    });
    return { kind: 'batch', upgrade, batch };
  }

  let decided = intent as BoundaryIntent;
  // A decision that changes nothing stored tells nothing: what it would tell, the write that made the state told
  // (a wait already recorded, a phase or pause a retried step finds written).
  const upgrade = await updateUpgradeRecording(ctx.db, read.clusterId, read.id, (cur) => {
    // the item changed since it was read: the decision is made again on what is stored now
    decided = cur.version === read.version ? intent : decide(cur);
    // decided again, the plan is the same one (the same look at the cluster): its pages are written already
    const next = decided.kind === 'startBatch' ? null : applyBoundary(cur, decided, withPlan);
    return next && { upgrade: next, events: decided.kind === 'observe' || decided.kind === 'startBatch' ? [] : decided.events };
  });
  switch (decided.kind) {
    case 'pause':
      return { kind: 'stopped', upgrade };
    case 'cleanup':
    case 'phaseDone':
      return { kind: 'phaseDone', upgrade };
    case 'wait':
      return { kind: 'wait', upgrade, ...(decided.pollSeconds !== undefined ? { pollSeconds: decided.pollSeconds } : {}) };
    default:
      // decided again on a changed item into something that needs another look: the next poll makes it
      return { kind: 'wait', upgrade };
  }
}

/** One look at the cluster for the decision: nodes and workloads, the batch being validated, the masters done so far. */
async function observe(ctx: PhaseContext, u: Upgrade, kind: 'master' | 'worker', driver: ClusterDriver): Promise<BoundaryObservation> {
  const [nodes, workloadGaps, validatedBatch, mastersFinished] = await Promise.all([
    driver.listNodes(),
    driver.unavailableWorkloads(),
    u.validation ? getBatch(ctx.db, u.id, u.validation.batch) : Promise.resolve(undefined),
    kind === 'master' ? countMastersFinished(ctx, u.id) : Promise.resolve(0),
  ]);
  return { nodes, workloadGaps, mastersFinished, ...(validatedBatch ? { validatedBatch } : {}) };
}

/** Masters this upgrade has brought to the target so far, from its own batches. */
async function countMastersFinished(ctx: PhaseContext, upgradeId: string): Promise<number> {
  const batches = await listBatches(ctx.db, upgradeId);
  return batches
    .filter((b) => b.kind === 'master')
    .flatMap((b) => b.nodes)
    .filter((n) => n.step === 'done').length;
}
