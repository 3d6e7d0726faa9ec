import { continuationName } from '../domain/executionHistory.js';
import { requireUpgrade } from '../store/upgrades.js';
import type { PhaseContext, StepState } from './context.js';
import { stepState } from './stepState.js';

/**
 * The execution's history is nearly full: the upgrade goes on in a new
 * execution of the same upgrade, and this one ends (Route → Continued). The
 * new one enters at the stored phase like a resume, without moving the ramp.
 * Its name derives from this one's, so a retried hop finds the execution it
 * started (the same name and input is a success, not a clash); its Begin
 * polls until this one has ended before any step runs, and tells the hop.
 */
export async function continueInNewExecution(
  ctx: PhaseContext,
  ids: { clusterId: string; upgradeId: string },
  executionName: string,
  historyEvents: number,
): Promise<StepState> {
  const u = await requireUpgrade(ctx.db, ids.clusterId, ids.upgradeId);
  if (!ctx.workflow) throw new Error('this function cannot start executions: STATE_MACHINE_ARN is not set');
  const next = continuationName(executionName);
  // the new execution's Begin tells the hop (ExecutionContinued) in the write that enters it: a retried hop tells it once
  await ctx.workflow.startExecution({
    name: next,
    input: { clusterId: u.clusterId, upgradeId: u.id, continuesFrom: executionName, continuedAfterEvents: historyEvents },
  });
  return { ...stepState(u, ctx.config), status: 'continued', stop: true, wait: false };
}
