import { IllegalTransitionError } from './errors.js';

export const UPGRADE_STATUSES = ['scheduled', 'running', 'pausing', 'paused', 'cancelled', 'succeeded', 'failed', 'expired'] as const;
export type UpgradeStatus = (typeof UPGRADE_STATUSES)[number];

export const PHASES = ['precheck', 'masters', 'nodes', 'cleanup', 'done'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * The one table of status changes. Everything that changes an upgrade's
 * status asks this table first; the store then makes the write conditional
 * on the status it read, so a lost race is a conflict, never an overwrite.
 */
const STATUS_TRANSITIONS: Record<UpgradeStatus, readonly UpgradeStatus[]> = {
  // waiting for its start time: it holds the cluster and can be cancelled until then
  scheduled: ['running', 'cancelled'],
  // running → paused directly when an error pauses it, or when a pause reaches a boundary with nothing in flight
  running: ['pausing', 'paused', 'succeeded', 'failed'],
  pausing: ['paused', 'cancelled'],
  paused: ['running', 'cancelled', 'expired'],
  cancelled: [],
  succeeded: [],
  failed: [],
  expired: [],
};

export function canTransition(from: UpgradeStatus, to: UpgradeStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

export function assertTransition(from: UpgradeStatus, to: UpgradeStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}

export function isTerminal(status: UpgradeStatus): boolean {
  return STATUS_TRANSITIONS[status].length === 0;
}

/** An upgrade holds its cluster's lock until it ends. */
export function isActive(status: UpgradeStatus): boolean {
  return !isTerminal(status);
}

/** Phases only move forward, one at a time; cancel jumps to cleanup from any phase. */
const PHASE_TRANSITIONS: Record<Phase, readonly Phase[]> = {
  precheck: ['masters', 'cleanup'],
  masters: ['nodes', 'cleanup'],
  nodes: ['cleanup'],
  cleanup: ['done'],
  done: [],
};

function canAdvancePhase(from: Phase, to: Phase): boolean {
  return PHASE_TRANSITIONS[from].includes(to);
}

export function assertPhase(from: Phase, to: Phase): void {
  if (!canAdvancePhase(from, to)) throw new IllegalTransitionError(`phase ${from}`, `phase ${to}`);
}

/** What the user may ask for in each status (docs/API.md: pause/resume/cancel). */
export type UserAction = 'pause' | 'resume' | 'cancel';
const ACTIONS: Record<UserAction, readonly UpgradeStatus[]> = {
  pause: ['running'],
  resume: ['paused'],
  cancel: ['scheduled', 'paused', 'pausing'],
};

export function allowedAction(action: UserAction, status: UpgradeStatus): boolean {
  return ACTIONS[action].includes(status);
}
