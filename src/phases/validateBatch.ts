import type { ClusterDriver, NodeInfo, WorkloadGap } from '../cluster/clusterDriver.js';
import type { Upgrade } from '../domain/upgrade.js';
import { pauseUpgrade } from '../domain/upgradeLifecycle.js';
import { findValidationProblems, judgeValidation } from '../domain/validation.js';
import { getBatch } from '../store/batches.js';
import { updateUpgrade } from '../store/upgrades.js';
import type { PhaseContext } from './context.js';
import { recordEvents } from './recordEvents.js';

export type ValidationStep =
  | { kind: 'passed'; upgrade: Upgrade; workloadGaps: WorkloadGap[] }
  | { kind: 'wait'; upgrade: Upgrade }
  | { kind: 'stopped'; upgrade: Upgrade };

/**
 * One look at the cluster after a batch settled. The next batch may start
 * only after two healthy looks a soak apart; a cluster that stays unhealthy
 * past the validation timeout pauses the upgrade with what was wrong.
 */
export async function validateLastBatch(ctx: PhaseContext, u: Upgrade, driver: ClusterDriver, nodes: NodeInfo[]): Promise<ValidationStep> {
  const state = u.validation!;
  const now = ctx.now();
  const batch = await getBatch(ctx.db, u.id, state.batch);
  const upgraded = (batch?.nodes ?? []).filter((n) => n.step === 'done').map((n) => n.name);
  const workloadGaps = await driver.unavailableWorkloads();
  const problems = findValidationProblems(
    { nodes, workloadGaps },
    { upgraded, target: u.toVersion, notReadyBefore: batch?.notReadyBefore ?? [], workloadsShortBefore: batch?.workloadsShortBefore ?? [] },
  );
  const verdict = judgeValidation(state, problems, { now, soakSeconds: ctx.config.soakSeconds, timeoutSeconds: ctx.config.validationTimeoutSeconds });
  if (verdict.kind === 'passed') {
    await recordEvents(ctx.db, u, [{ at: now, type: 'BatchValidated', message: `cluster healthy twice in a row after batch ${state.batch}` }]);
    return { kind: 'passed', upgrade: u, workloadGaps };
  }
  if (verdict.kind === 'wait') {
    const next = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => (cur.validation?.batch === state.batch ? { ...cur, validation: verdict.state, updatedAt: now } : null));
    return { kind: 'wait', upgrade: next };
  }
  const error = { reason: 'ValidationFailed', message: verdict.message, remedy: verdict.remedy };
  const paused = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => (cur.cancelRequested ? null : pauseUpgrade(cur, { now, expirySeconds: ctx.config.expirySeconds, error })));
  // A cancel came in meanwhile: the upgrade is not paused, and the next step takes it to cleanup.
  if (paused.cancelRequested) return { kind: 'wait', upgrade: paused };
  await recordEvents(ctx.db, paused, [{ at: now, type: 'UpgradePaused', message: `upgrade paused: ${verdict.message}` }]);
  return { kind: 'stopped', upgrade: paused };
}
