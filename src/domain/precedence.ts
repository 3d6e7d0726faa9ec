import type { Upgrade, UpgradeError } from './upgrade.js';

/**
 * What stops an upgrade at a stopping point (a boundary between batches, a
 * batch that settled, the start of cleanup), strongest first. This is the one
 * place the precedence of cancel, failure and pause is written:
 *
 * 1. a cancel: the upgrade goes on to cleanup and ends cancelled, whatever else
 *    happened (a failed node stays cordoned and its error stays on record);
 * 2. a failure (a node's upgrade failed, validation or a gate timed out): the
 *    upgrade pauses with the error;
 * 3. a pause request: the upgrade pauses, with no error.
 *
 * A fault (a step that could not run at all: OnError) is stronger than all
 * three, see {@link afterFault}.
 */
export type Stop = { kind: 'cancel'; error?: UpgradeError } | { kind: 'failure'; error: UpgradeError } | { kind: 'pause' } | { kind: 'none' };

export function stopFor(u: Pick<Upgrade, 'cancelRequested' | 'pauseRequested'>, failure?: UpgradeError): Stop {
  if (u.cancelRequested) return failure ? { kind: 'cancel', error: failure } : { kind: 'cancel' };
  if (failure) return { kind: 'failure', error: failure };
  if (u.pauseRequested) return { kind: 'pause' };
  return { kind: 'none' };
}

/**
 * A step that threw cannot carry a cancel out either: the upgrade pauses with
 * the fault, and a cancel in progress is dropped (the user cancels again once
 * the cause is fixed). Left pending, the execution would run the failing step
 * again and again, and a new cancel would find nothing to start.
 */
export function afterFault(u: Pick<Upgrade, 'cancelRequested'>): { cancelCutShort: boolean } {
  return { cancelCutShort: u.cancelRequested };
}
