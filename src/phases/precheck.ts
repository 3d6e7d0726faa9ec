import { readAndCheck } from '../checks/readAndCheck.js';
import { masterOrder } from '../domain/batchPlan.js';
import { markFinished, markPaused } from '../domain/upgradeLifecycle.js';
import { leaseSelf } from './clusterLease.js';
import { decidePrecheck } from '../domain/precheckOutcome.js';
import type { Upgrade } from '../domain/upgrade.js';
import { requireCluster, unlockCluster } from '../store/clusters.js';
import { keepPlan } from '../store/plans.js';
import { requireUpgrade, updateUpgradeRecording } from '../store/upgrades.js';
import type { PhaseContext, StepState } from './context.js';
import { stepState } from './stepState.js';

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
  const { report, version, nodes, nodesUnreadable } = await readAndCheck(driver, u.toVersion, u.clusterId, { self: leaseSelf(ctx, u), now: ctx.now() });
  const now = ctx.now();
  const masters = masterOrder(nodes.filter((n) => n.role === 'master').map((n) => n.name));
  const workers = nodes.filter((n) => n.role === 'worker');
  const outcome = decidePrecheck(report, { version, nodes, ...(nodesUnreadable !== undefined ? { nodesUnreadable } : {}) }, u.toVersion);
  // the plan the precheck made is the upgrade's first (revision 1, kept: what the upgrade set out to do)
  const planSummary = outcome.kind === 'passed' && report.plan ? await keepPlan(ctx.db, { upgradeId: u.id }, undefined, report.plan) : undefined;
  const { plan: _plan, ...stored } = report;
  const storedReport = { ...stored, ...(planSummary ? { planSummary } : {}) };
  const failedChecks = report.results.filter((r) => r.status === 'fail').map((r) => r.name);
  // the outcome and its event in one write: a step cut short after it tells nothing twice
  const next = await updateUpgradeRecording(ctx.db, u.clusterId, u.id, (cur) => {
    if (cur.phase !== 'precheck') return null;
    const withReport: Upgrade = { ...cur, precheck: storedReport, fromVersion: version ?? cur.fromVersion, startedAt: cur.startedAt ?? now, updatedAt: now };
    const event = (type: string, message: string) => [{ at: now, type, message }];
    switch (outcome.kind) {
      case 'nothingToDo':
        return {
          upgrade: markFinished(withReport, 'succeeded', now),
          events: event('UpgradeSucceeded', `nothing to do: the cluster already runs ${cur.toVersion} on every node`),
        };
      case 'paused':
        return {
          upgrade: markPaused(withReport, { now, expirySeconds: ctx.config.expirySeconds, error: outcome.error }),
          events: event('UpgradePaused', `upgrade paused before it changed anything: ${outcome.error.message}`),
        };
      case 'failed':
        return {
          upgrade: markFinished({ ...withReport, error: { ...outcome.error, phase: 'precheck' } }, 'failed', now),
          events: event('PrecheckFailed', `precheck failed: ${failedChecks.join(', ')}; the cluster was not changed`),
        };
      case 'passed':
        return {
          upgrade: {
            ...withReport,
            phase: 'masters',
            ...(planSummary ? { planSummary } : {}),
            masters: { total: masters.length, upgraded: 0, current: null, order: masters },
            nodes: { total: workers.length, upgraded: 0 },
            workerCount: workers.length,
          },
          events: event('PrecheckPassed', `precheck passed (${report.results.length} checks)`),
        };
    }
  });
  if (next.status === 'failed' || next.status === 'succeeded') await unlockCluster(ctx.db, u.clusterId, u.id, now);
  return stepState(next, ctx.config);
}
