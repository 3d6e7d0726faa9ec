import { decideRepair, executionsToLook, repairImpossible, shouldHaveExecution, type RepairDecision } from '../domain/executionRepair.js';
import type { Upgrade, UpgradeError } from '../domain/upgrade.js';
import { markPaused } from '../domain/upgradeLifecycle.js';
import { listClusters } from '../store/clusters.js';
import type { Db } from '../store/db.js';
import { appendEvent } from '../store/events.js';
import { getUpgrade, updateUpgradeRecording } from '../store/upgrades.js';
import type { PhaseWorkflow } from '../workflow/workflowPort.js';

export interface RepairContext {
  db: Db;
  now(): string;
  workflow?: PhaseWorkflow;
  config: { expirySeconds: number };
}

export interface RepairOutcome {
  /** upgrades whose execution was started again (name of the execution) */
  started: Array<{ upgradeId: string; execution: string }>;
  /** upgrades paused because no execution could be started */
  paused: Array<{ upgradeId: string; reason: string }>;
}

/**
 * Finds the upgrades that should have a live execution and have none, and
 * starts it under its deterministic name (src/domain/executionRepair.ts), or
 * pauses the upgrade with the reason when it cannot. A cluster has at most
 * one active upgrade, named on its item, so the sweep reads one upgrade per
 * cluster. Two sweeps that race start the same execution (same name, same
 * input), so the upgrade is started once.
 */
export async function repairExecutions(ctx: RepairContext): Promise<RepairOutcome> {
  const out: RepairOutcome = { started: [], paused: [] };
  if (!ctx.workflow) return out;
  for (const cluster of await listClusters(ctx.db)) {
    if (!cluster.activeUpgradeId) continue;
    const u = await getUpgrade(ctx.db, cluster.id, cluster.activeUpgradeId);
    if (!u || !shouldHaveExecution(u)) continue;
    const decision = await decide(ctx.workflow, u, ctx.now());
    if (decision.kind === 'none') continue;
    if (decision.kind === 'start') {
      try {
        await ctx.workflow.startExecution({ name: decision.name, input: { clusterId: u.clusterId, upgradeId: u.id } });
        await appendEvent(ctx.db, u.id, {
          at: ctx.now(),
          type: 'ExecutionRepaired',
          message: `upgrade ${u.id} was ${u.status} with no execution running it; the sweeper started execution ${decision.name}`,
        });
        out.started.push({ upgradeId: u.id, execution: decision.name });
        continue;
      } catch (err) {
        // A name taken with another input (ExecutionAlreadyExists), a missing grant, the machine gone: say so on the upgrade.
        const error = repairImpossible(u, `starting execution ${decision.name} failed: ${(err as Error)?.message ?? String(err)}`);
        if (await pauseLost(ctx, u, error)) out.paused.push({ upgradeId: u.id, reason: error.reason });
        continue;
      }
    }
    if (await pauseLost(ctx, u, decision.error)) out.paused.push({ upgradeId: u.id, reason: decision.error.reason });
  }
  return out;
}

async function decide(workflow: PhaseWorkflow, u: Upgrade, now: string): Promise<RepairDecision> {
  const names = executionsToLook(u);
  const statuses = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await workflow.executionStatus(n)] as const)));
  return decideRepair(u, statuses, now);
}

/** Paused with the reason, on condition that nothing moved the upgrade since the sweep looked at it. */
async function pauseLost(ctx: RepairContext, looked: Upgrade, error: UpgradeError): Promise<boolean> {
  const now = ctx.now();
  let wrote = false;
  await updateUpgradeRecording(ctx.db, looked.clusterId, looked.id, (cur) => {
    if (cur.version !== looked.version || !shouldHaveExecution(cur)) return null;
    wrote = true;
    return {
      upgrade: { ...markPaused(cur, { now, expirySeconds: ctx.config.expirySeconds, error: { ...error, phase: cur.phase } }), cancelRequested: false },
      events: [{ at: now, type: 'UpgradePaused', message: `upgrade paused by the sweeper (${error.reason}): ${error.message}` }],
    };
  });
  return wrote;
}
