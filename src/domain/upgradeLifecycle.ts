import { ConflictError } from './errors.js';
import { expiresAtFor, isExpired } from './expiry.js';
import type { Batch, Upgrade, UpgradeError } from './upgrade.js';
import { sameVersion } from './versions.js';
import { allowedAction, assertTransition, type UpgradeStatus, type UserAction } from './upgradeStatus.js';

/**
 * Pure changes of an upgrade's status. Each returns the new item; the store
 * writes it conditionally on the version it was computed from.
 */

function refuse(action: UserAction, u: Upgrade): never {
  const hint: Record<UserAction, string> = {
    pause: 'only a running upgrade can be paused',
    resume: 'only a paused upgrade can be resumed',
    cancel: 'pause the upgrade first, then cancel it',
  };
  throw new ConflictError(`cannot ${action} upgrade ${u.id}: it is ${u.status}`, hint[action]);
}

export function requestPause(u: Upgrade, now: string): Upgrade {
  if (!allowedAction('pause', u.status)) refuse('pause', u);
  return { ...u, status: 'pausing', pauseRequested: true, updatedAt: now };
}

/** Reached a boundary (or an error): nothing is in flight any more, or what is will wait for resume. */
export function markPaused(u: Upgrade, args: { now: string; expirySeconds: number; error?: UpgradeError }): Upgrade {
  if (u.status !== 'paused') assertTransition(u.status, 'paused');
  const pausedAt = u.status === 'paused' ? (u.pausedAt ?? args.now) : args.now;
  return {
    ...u,
    status: 'paused',
    pauseRequested: false,
    pausedAt,
    expiresAt: expiresAtFor(pausedAt, args.expirySeconds),
    ...(args.error ? { error: args.error } : {}),
    updatedAt: args.now,
  };
}

export function markResumed(u: Upgrade, now: string): Upgrade {
  if (!allowedAction('resume', u.status)) refuse('resume', u);
  if (isExpired(u, now)) throw new ConflictError(`upgrade ${u.id} expired at ${new Date(u.expiresAt! * 1000).toISOString()}`, 'start a new upgrade');
  if (u.cancelRequested) throw new ConflictError(`upgrade ${u.id} is being cancelled`, 'wait for the cancel to finish');
  const { pausedAt: _p, expiresAt: _e, error: _err, waitingFor, ...rest } = u;
  // A validation cut short by the pause starts over: its timeout counts from the resume; so does a gate's hold.
  const validation = u.validation ? { batch: u.validation.batch, since: now, passes: 0 } : undefined;
  return {
    ...rest,
    ...(validation ? { validation } : {}),
    ...(waitingFor && !waitingFor.deadline ? { waitingFor } : {}),
    status: 'running',
    pauseRequested: false,
    rampIndex: 0,
    executions: u.executions + 1,
    updatedAt: now,
  };
}

export function requestCancel(u: Upgrade, now: string): Upgrade {
  if (!allowedAction('cancel', u.status)) refuse('cancel', u);
  if (isExpired(u, now)) throw new ConflictError(`upgrade ${u.id} has expired`, 'nothing to cancel: it is being closed');
  // Asked again (a double click, a retried request): the same execution carries it out. A cancel an error cut short was
  // cleared when the error paused the upgrade, so asking again then starts a new execution.
  if (u.cancelRequested) return u;
  return { ...u, cancelRequested: true, executions: u.executions + 1, updatedAt: now };
}

export function markFinished(u: Upgrade, status: Extract<UpgradeStatus, 'succeeded' | 'failed' | 'cancelled' | 'expired'>, now: string): Upgrade {
  if (u.status === status) return u;
  assertTransition(u.status, status);
  const { expiresAt: _e, waitingFor: _w, ...rest } = u;
  // every upgrade that did not succeed says why; one that stopped on an error keeps it
  const why = status === 'succeeded' || u.error ? u.error : endedBecause(u, status);
  return {
    ...rest,
    ...(why ? { error: why } : {}),
    status,
    phase: 'done',
    currentBatch: null,
    masters: { ...u.masters, current: null },
    endedAt: now,
    updatedAt: now,
  };
}

function endedBecause(u: Upgrade, status: 'failed' | 'cancelled' | 'expired'): UpgradeError | undefined {
  if (status === 'cancelled') {
    return {
      reason: 'Cancelled',
      message: `the upgrade was cancelled; ${u.masters.upgraded} master(s) and ${u.nodes.upgraded} worker(s) stay upgraded`,
      remedy: `start a new upgrade to ${u.toVersion} to finish, when you are ready`,
    };
  }
  if (status === 'expired') {
    return {
      reason: 'Expired',
      message: `the upgrade was left paused past its expiry and was closed; its events are deleted`,
      remedy: `start a new upgrade to ${u.toVersion}: it takes over the nodes this one left cordoned`,
      phase: u.phase,
    };
  }
  return undefined;
}

/** A scheduled upgrade's start time came: it runs from its precheck. */
export function markStarted(u: Upgrade, now: string): Upgrade {
  if (u.status !== 'scheduled') return u;
  return { ...u, status: 'running', updatedAt: now };
}

/**
 * The ramp position after a batch settles. A worker batch moves the ramp one
 * step, unless it was started before the latest resume (it was in flight when
 * an error paused the upgrade): the resume put the ramp back at 1, and the
 * first batch started after it must have 1 node.
 */
export function rampAfterBatch(u: Pick<Upgrade, 'rampIndex' | 'executions'>, batch: Pick<Batch, 'kind' | 'execution'>): number {
  if (batch.kind !== 'worker') return u.rampIndex;
  const startedBeforeResume = batch.execution !== undefined && batch.execution < u.executions;
  return startedBeforeResume ? u.rampIndex : u.rampIndex + 1;
}

/**
 * kubeadm's `upgrade apply` runs once per upgrade, on the first master it
 * upgrades; every other master runs `upgrade node`. Decided from the
 * upgrade's own record, not from /version (behind a load balancer an HA
 * control plane can still answer the old version after the first apply):
 * the first master is the one upgraded while no master of this upgrade has
 * finished, unless the control plane already ran the target when the upgrade
 * began (e.g. finishing what a cancelled upgrade left).
 */
export function masterJobRole(args: { fromVersion: string; toVersion: string; mastersFinished: number }): 'first-master' | 'master' {
  if (sameVersion(args.fromVersion, args.toVersion)) return 'master';
  return args.mastersFinished === 0 ? 'first-master' : 'master';
}
