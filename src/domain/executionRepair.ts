import { continuationName } from './executionHistory.js';
import type { Upgrade, UpgradeError } from './upgrade.js';

/**
 * The repair sweep: an upgrade whose status says an execution moves it, with
 * none running, is started again. The API writes the upgrade, then starts its
 * execution; a crash between the two (not an error answer: that is taken
 * back) leaves it `running` with nothing to run it.
 */

/**
 * How long after its last write an upgrade is left alone: a start may be in
 * flight (the API function writes, then calls StartExecution; 29 s at most),
 * and a step between two writes is not a lost execution.
 */
const REPAIR_GRACE_SECONDS = 120;

/** Running and pausing upgrades are moved by an execution; so is a paused one whose cancel was asked (its cleanup run). */
export function shouldHaveExecution(u: Pick<Upgrade, 'status' | 'cancelRequested' | 'phase'>): boolean {
  if (u.phase === 'done') return false;
  return u.status === 'running' || u.status === 'pausing' || (u.status === 'paused' && u.cancelRequested);
}

/** The name the last start, resume or cancel gave its execution (src/upgrades/control.ts names them so). */
function startedExecutionName(u: Pick<Upgrade, 'id' | 'executions'>): string {
  return u.executions <= 1 ? u.id : `${u.id}-run${u.executions}`;
}

/**
 * The execution a repair starts after `ended`: its name with a repair counted
 * up (`upg-1` → `upg-1-r1` → `upg-1-r2`), from the name alone, so two sweeps
 * that race ask for the same one (Step Functions answers a repeated name and
 * input with the first execution).
 */
export function repairName(ended: string): string {
  const m = /^(.*)-r(\d+)$/.exec(ended);
  return m ? `${m[1]}-r${Number(m[2]) + 1}` : `${ended}-r1`;
}

/** The executions whose status the decision needs: any of them running means the upgrade has one. */
export function executionsToLook(u: Pick<Upgrade, 'id' | 'executions' | 'execution'>): string[] {
  const started = startedExecutionName(u);
  const recorded = u.execution;
  const names = [started, continuationName(started), repairName(recorded ?? started)];
  if (recorded) names.push(recorded, continuationName(recorded));
  return [...new Set(names)];
}

export type RepairDecision =
  { kind: 'none'; why: 'no-execution-needed' | 'recent' | 'running' } | { kind: 'start'; name: string } | { kind: 'pause'; error: UpgradeError };

/**
 * What the sweep does with one upgrade, given how each of
 * `executionsToLook(u)` stands ('RUNNING', another Step Functions status, or
 * undefined when no execution has that name).
 */
export function decideRepair(
  u: Pick<Upgrade, 'id' | 'status' | 'phase' | 'cancelRequested' | 'executions' | 'execution' | 'updatedAt'>,
  statuses: Readonly<Record<string, string | undefined>>,
  now: string,
  graceSeconds = REPAIR_GRACE_SECONDS,
): RepairDecision {
  if (!shouldHaveExecution(u)) return { kind: 'none', why: 'no-execution-needed' };
  if (Date.parse(now) - Date.parse(u.updatedAt) < graceSeconds * 1000) return { kind: 'none', why: 'recent' };
  if (executionsToLook(u).some((n) => statuses[n] === 'RUNNING')) return { kind: 'none', why: 'running' };
  const started = startedExecutionName(u);
  // never started (the crash between the write and StartExecution): the start it should have had, under its own name
  if (statuses[started] === undefined) return { kind: 'start', name: started };
  const repair = repairName(u.execution ?? started);
  if (statuses[repair] === undefined) return { kind: 'start', name: repair };
  // a repair ran and ended without entering the upgrade: starting more would not help
  return { kind: 'pause', error: repairImpossible(u, `execution ${repair} was started to repair it and ended without moving it`) };
}

/** The pause a repair that cannot be made leaves, with what to do. */
export function repairImpossible(u: Pick<Upgrade, 'id' | 'status'>, why: string): UpgradeError {
  return {
    reason: 'ExecutionLost',
    message: `upgrade ${u.id} was ${u.status} with no execution running it, and the sweeper could not start one: ${why}`,
    remedy: `look at the upgrade's executions in the Step Functions console (their names start with ${u.id}) and kupgrade's sweeper log, then resume the upgrade`,
  };
}
