import type { ClusterDriver, NodeInfo } from '../cluster/clusterDriver.js';
import { masterOrder, planRemainingBatches } from '../domain/batchPlan.js';
import { summarize, type CheckContext, runChecks } from '../domain/precheck.js';
import { finishUpgrade } from '../domain/upgradeLifecycle.js';
import type { CheckReport, Upgrade, UpgradePlan } from '../domain/upgrade.js';
import { sameVersion } from '../domain/versions.js';
import { requireCluster, unlockCluster } from '../store/clusters.js';
import { requireUpgrade, updateUpgrade } from '../store/upgrades.js';
import type { PhaseContext, StepState } from './context.js';
import { recordEvents } from './recordEvents.js';
import { stepState } from './stepState.js';

/** Reads the cluster (never writes) and runs the check suite on what it read; the report carries the plan the upgrade would follow. */
export async function readAndCheck(driver: ClusterDriver, targetVersion: string, clusterId: string): Promise<{ report: CheckReport; version?: string; nodes: NodeInfo[] }> {
  const snapshot = await driver.readClusterState();
  const version = snapshot.serverVersion.ok ? snapshot.serverVersion.value : undefined;
  const nodes: NodeInfo[] = snapshot.nodes.ok ? snapshot.nodes.value : [];
  const input: CheckContext = { targetVersion, snapshot };
  return { report: { ...summarize(runChecks(input)), plan: planFor(nodes, targetVersion, clusterId) }, version, nodes };
}

/** The masters' order and the worker batches of an upgrade that starts now. */
export function planFor(nodes: readonly NodeInfo[], targetVersion: string, clusterId: string): UpgradePlan {
  const workers = nodes.filter((n) => n.role === 'worker');
  const pending = workers.filter((n) => !sameVersion(n.kubeletVersion, targetVersion)).map((n) => n.name);
  return {
    masters: masterOrder(nodes.filter((n) => n.role === 'master').map((n) => n.name)),
    batches: planRemainingBatches({ pending, retryFirst: [], workerCount: workers.length, rampIndex: 0, seed: clusterId, targetVersion }),
  };
}

/**
 * The Precheck phase: any `fail` ends the upgrade `failed` with the report,
 * untouched cluster and released lock; otherwise it fixes the plan's inputs
 * (master order, worker count) and moves to the masters.
 */
export async function runPrecheck(ctx: PhaseContext, input: { clusterId: string; upgradeId: string }): Promise<StepState> {
  const u = await requireUpgrade(ctx.db, input.clusterId, input.upgradeId);
  if (u.phase !== 'precheck' || !['running', 'pausing'].includes(u.status)) return stepState(u, ctx.config);
  const cluster = await requireCluster(ctx.db, u.clusterId);
  const driver = await ctx.driverFor(cluster);
  const { report, version, nodes } = await readAndCheck(driver, u.toVersion, u.clusterId);
  const now = ctx.now();
  const masters = masterOrder(nodes.filter((n) => n.role === 'master').map((n) => n.name));
  const workers = nodes.filter((n) => n.role === 'worker');
  const next = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur): Upgrade | null => {
    if (cur.phase !== 'precheck') return null;
    const withReport: Upgrade = { ...cur, precheck: report, fromVersion: version ?? cur.fromVersion, updatedAt: now };
    if (report.status === 'failed') return finishUpgrade(withReport, 'failed', now);
    return {
      ...withReport,
      phase: 'masters',
      ...(report.plan ? { plan: report.plan } : {}),
      masters: { total: masters.length, upgraded: 0, current: null, order: masters },
      nodes: { total: workers.length, upgraded: 0 },
      workerCount: workers.length,
    };
  });
  const failedChecks = report.results.filter((r) => r.status === 'fail').map((r) => r.name);
  if (next.status === 'failed') {
    await unlockCluster(ctx.db, u.clusterId, u.id, now);
    await recordEvents(ctx.db, next, [{ at: now, type: 'PrecheckFailed', message: `precheck failed: ${failedChecks.join(', ')}; the cluster was not changed` }]);
  } else {
    await recordEvents(ctx.db, next, [{ at: now, type: 'PrecheckPassed', message: `precheck passed (${report.results.length} checks)` }]);
  }
  return stepState(next, ctx.config);
}
