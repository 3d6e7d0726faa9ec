import type { ClusterDriver, JobRole, NodeInfo, WorkloadGap } from '../cluster/clusterDriver.js';
import { ANNOTATION_CORDONED_BY } from '../cluster/labels.js';
import { planRemainingBatches, selectNextBatch } from '../domain/batchPlan.js';
import type { Batch, Upgrade } from '../domain/upgrade.js';
import { masterJobRole, pauseUpgrade } from '../domain/upgradeLifecycle.js';
import { workloadBaseline } from '../domain/validation.js';
import { assertPhase, type Phase } from '../domain/upgradeStatus.js';
import { sameVersion } from '../domain/versions.js';
import { createOrAdoptBatch, listBatches } from '../store/batches.js';
import { updateUpgrade } from '../store/upgrades.js';
import type { Cluster } from '../store/clusters.js';
import { isWithinWindow, nextWindowStart } from '../domain/maintenanceWindow.js';
import type { PhaseContext } from './context.js';
import { recordEvents } from './recordEvents.js';
import { validateLastBatch } from './validateBatch.js';

export type BoundaryDecision =
  | { kind: 'stopped'; upgrade: Upgrade }
  | { kind: 'wait'; upgrade: Upgrade; pollSeconds?: number }
  | { kind: 'phaseDone'; upgrade: Upgrade }
  | { kind: 'batch'; upgrade: Upgrade; batch: Batch };

const atTarget = (n: NodeInfo, target: string) => sameVersion(n.kubeletVersion, target);
/**
 * A node kupgrade cordoned and has not given back: its Job failed or it never
 * came back Ready, possibly after its kubelet reached the target. It is still
 * to do (its cordon is taken over, its upgrade run again, then it is
 * uncordoned); judged by version alone it would be passed over and stay cordoned.
 */
const heldByKupgrade = (n: NodeInfo) => n.unschedulable && n.annotations[ANNOTATION_CORDONED_BY] !== undefined;
const toDo = (n: NodeInfo, target: string) => !atTarget(n, target) || heldByKupgrade(n);

/**
 * Between two batches (or two masters): the place where pause and cancel take
 * effect, the last batch is validated, progress is recounted from the cluster
 * itself, and the next batch is chosen and recorded before any node is touched.
 */
export async function crossBoundary(
  ctx: PhaseContext,
  args: { upgrade: Upgrade; cluster: Cluster; kind: 'master' | 'worker'; driver: ClusterDriver },
): Promise<BoundaryDecision> {
  const { cluster, kind, driver } = args;
  let u = args.upgrade;
  const now = ctx.now();
  if (u.cancelRequested) return { kind: 'phaseDone', upgrade: await moveToPhase(ctx, u, 'cleanup', now) };
  if (u.pauseRequested) {
    // A cancel written since `u` was read wins: the upgrade goes to cleanup instead of stopping paused.
    const paused = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => (cur.cancelRequested ? null : pauseUpgrade(cur, { now, expirySeconds: ctx.config.expirySeconds })));
    if (paused.cancelRequested) return { kind: 'phaseDone', upgrade: await moveToPhase(ctx, paused, 'cleanup', now) };
    await recordEvents(ctx.db, paused, [{ at: now, type: 'UpgradePaused', message: `upgrade paused in phase ${u.phase} at the request of a user` }]);
    return { kind: 'stopped', upgrade: paused };
  }
  const nodes = await driver.listNodes();
  let workloadGaps: WorkloadGap[] | undefined;
  if (u.validation) {
    const validated = await validateLastBatch(ctx, u, driver, nodes);
    if (validated.kind !== 'passed') return validated;
    ({ upgrade: u, workloadGaps } = validated);
  }
  const masters = nodes.filter((n) => n.role === 'master');
  const workers = nodes.filter((n) => n.role === 'worker');
  const counted = {
    masters: { ...u.masters, upgraded: masters.filter((n) => !toDo(n, u.toVersion)).length },
    nodes: { ...u.nodes, upgraded: workers.filter((n) => !toDo(n, u.toVersion)).length },
  };
  const pending = workers.filter((n) => toDo(n, u.toVersion)).map((n) => n.name);
  const held = new Set(nodes.filter(heldByKupgrade).map((n) => n.name));
  const planInput = { pending, retryFirst: u.retryFirst, workerCount: u.workerCount, rampIndex: u.rampIndex, seed: u.clusterId, targetVersion: u.toVersion };
  const remaining = planRemainingBatches(planInput);
  // The plan shows what has not started yet; a worker boundary is about to start remaining[0].
  const plan = { masters: u.masters.order, batches: kind === 'worker' ? remaining.slice(1) : remaining };

  let chosen: string[];
  let role: JobRole = 'worker';
  if (kind === 'master') {
    const byName = new Map(masters.map((m) => [m.name, m]));
    const next = u.masters.order.find((name) => { const m = byName.get(name); return m && toDo(m, u.toVersion); });
    if (!next) return { kind: 'phaseDone', upgrade: await moveToPhase(ctx, { ...u, ...counted, plan }, 'nodes', now) };
    role = masterJobRole({ fromVersion: u.fromVersion, toVersion: u.toVersion, mastersFinished: await mastersFinished(ctx, u.id) });
    chosen = [next];
  } else {
    if (pending.length === 0) return { kind: 'phaseDone', upgrade: await moveToPhase(ctx, { ...u, ...counted, plan }, 'cleanup', now) };
    const held = await holdForWindow(ctx, u, cluster, now);
    if (held) return held;
    chosen = selectNextBatch(planInput);
  }

  const number = u.batchSeq + 1;
  const batch = await createOrAdoptBatch(ctx.db, {
    upgradeId: u.id,
    number,
    kind,
    index: kind === 'master' ? u.masters.order.indexOf(chosen[0]!) + 1 : u.workerBatches + 1,
    nodes: chosen.map((name) => ({ name, step: 'pending', role, ...(held.has(name) ? { heldBefore: true } : {}) })),
    notReadyBefore: nodes.filter((n) => !n.ready).map((n) => n.name),
    workloadsShortBefore: workloadBaseline(workloadGaps ?? (await driver.unavailableWorkloads())),
    execution: u.executions,
    status: 'running',
    startedAt: now,
    version: 1,
  });
  const upgrade = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => {
    if (cur.batchSeq >= number) return null;
    const { validation: _v, waitingForWindow: _w, ...rest } = cur;
    return {
      ...rest,
      ...counted,
      plan,
      batchSeq: number,
      currentBatch: number,
      workerBatches: kind === 'worker' ? cur.workerBatches + 1 : cur.workerBatches,
      masters: { ...counted.masters, current: kind === 'master' ? batch.index : null },
      updatedAt: now,
    };
  });
  const what = kind === 'master' ? `master ${batch.index} of ${u.masters.total} (${chosen[0]})` : `worker batch ${batch.index} of ${batch.nodes.length} node(s): ${chosen.join(', ')}`;
  await recordEvents(ctx.db, upgrade, [{ at: now, type: 'BatchStarted', message: `started ${what}` }]);
  return { kind: 'batch', upgrade, batch };
}

/** Masters this upgrade has brought to the target so far, from its own batches. */
async function mastersFinished(ctx: PhaseContext, upgradeId: string): Promise<number> {
  const batches = await listBatches(ctx.db, upgradeId);
  return batches.filter((b) => b.kind === 'master').flatMap((b) => b.nodes).filter((n) => n.step === 'done').length;
}

async function moveToPhase(ctx: PhaseContext, u: Upgrade, phase: Phase, now: string): Promise<Upgrade> {
  const next = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => {
    if (cur.phase === phase) return null;
    assertPhase(cur.phase, phase);
    const { validation: _v, ...rest } = cur;
    return { ...rest, masters: { ...u.masters, current: null }, nodes: u.nodes, ...(u.plan ? { plan: u.plan } : {}), phase, updatedAt: now };
  });
  await recordEvents(ctx.db, next, [{ at: now, type: 'PhaseStarted', message: `phase ${phase} started` }]);
  return next;
}

/** Longest wait between two looks at a closed window: keeps an execution's history short over a long wait. */
const MAX_WINDOW_POLL_SECONDS = 3600;

/** Outside the cluster's maintenance window no worker batch starts; the upgrade shows it waits and until when. */
async function holdForWindow(ctx: PhaseContext, u: Upgrade, cluster: Cluster, now: string): Promise<BoundaryDecision | undefined> {
  const window = cluster.maintenanceWindow;
  if (!window || isWithinWindow(window, now)) return undefined;
  const nextStart = nextWindowStart(window, now);
  let upgrade = u;
  if (!u.waitingForWindow) {
    upgrade = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => (cur.waitingForWindow ? null : { ...cur, waitingForWindow: { since: now, ...(nextStart ? { nextStart } : {}) }, updatedAt: now }));
    await recordEvents(ctx.db, upgrade, [{ at: now, type: 'WaitingForWindow', message: `outside the maintenance window: the next batch waits${nextStart ? ` until ${nextStart}` : ''}` }]);
  }
  const untilOpen = nextStart ? Math.ceil((Date.parse(nextStart) - Date.parse(now)) / 1000) : MAX_WINDOW_POLL_SECONDS;
  return { kind: 'wait', upgrade, pollSeconds: Math.max(ctx.config.pollSeconds, Math.min(untilOpen, MAX_WINDOW_POLL_SECONDS)) };
}
