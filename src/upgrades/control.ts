import { InvalidRequestError } from '../domain/errors.js';
import { markFinished, requestCancel, requestPause, markResumed } from '../domain/upgradeLifecycle.js';
import { unlockCluster } from '../store/clusters.js';
import type { SchedulerPort } from '../workflow/schedulerPort.js';
import { replanFromStart } from '../domain/batchPlan.js';
import type { PlanSummary, Upgrade, UpgradeError } from '../domain/upgrade.js';
import { keepPlan, readPlan } from '../store/plans.js';
import type { Db } from '../store/db.js';
import { requireUpgrade, updateUpgrade, updateUpgradeRecording, writeUpgradeEvents } from '../store/upgrades.js';
import type { WorkflowPort } from '../workflow/workflowPort.js';
import { createUpgrade } from './createUpgrade.js';

/**
 * What a user can do to an upgrade. Each is one conditional write of the
 * upgrade item (a wrong state is a 409 and writes nothing), then, where the
 * upgrade must move, a new execution named after the upgrade so a retried
 * request never starts two.
 */
export interface ControlDeps {
  db: Db;
  workflow: WorkflowPort;
  /** needed only for upgrades with a start time */
  scheduler?: SchedulerPort;
  now(): string;
  /** who asks, recorded on the event of each start, pause, resume and cancel */
  caller?: string;
}

/** The caller on an event, when there is one. */
const by = (deps: ControlDeps) => (deps.caller ? { by: deps.caller } : {});

const stepInput = (u: Upgrade) => ({ clusterId: u.clusterId, upgradeId: u.id });

export async function startUpgrade(
  deps: ControlDeps,
  args: { clusterId: string; upgradeId: string; targetVersion: string; startAt?: string },
): Promise<Upgrade> {
  const now = deps.now();
  if (args.startAt !== undefined) {
    if (!(Date.parse(args.startAt) > Date.parse(now)))
      throw new InvalidRequestError(`startAt ${args.startAt} is not in the future`, 'give an ISO time after now, or leave startAt out to start at once');
    if (!deps.scheduler) throw new InvalidRequestError('scheduled upgrades are not available here', 'leave startAt out');
  }
  const u = await createUpgrade(deps.db, { ...args, now, ...by(deps) });
  try {
    if (u.status === 'scheduled') await deps.scheduler!.scheduleStart({ name: u.id, at: u.scheduledAt!, input: stepInput(u) });
    else await deps.workflow.startExecution({ name: u.id, input: stepInput(u) });
  } catch (err) {
    // Nothing ran: end the upgrade with the reason and free the cluster, rather than leave it holding the lock with nothing to move it.
    const ended = await updateUpgrade(deps.db, u.clusterId, u.id, (cur) =>
      cur.version === u.version ? { ...markFinished(cur, cur.status === 'scheduled' ? 'cancelled' : 'failed', now), error: startFailure(err) } : null,
    );
    if (ended.phase === 'done') await unlockCluster(deps.db, u.clusterId, u.id, now);
    throw err;
  }
  return u;
}

export async function pauseUpgrade(deps: ControlDeps, clusterId: string, upgradeId: string): Promise<Upgrade> {
  const now = deps.now();
  return updateUpgradeRecording(deps.db, clusterId, upgradeId, (cur) => {
    const pausing = requestPause(cur, now);
    // asked again while pausing (a double click, a retried request): already on record
    return cur.status === 'pausing'
      ? null
      : {
          upgrade: pausing,
          events: [{ at: now, type: 'PauseRequested', message: 'pause requested: the nodes in flight finish, no new node starts', ...by(deps) }],
        };
  });
}

export async function resumeUpgrade(deps: ControlDeps, clusterId: string, upgradeId: string): Promise<Upgrade> {
  const now = deps.now();
  let paused: Upgrade | undefined;
  const before = await requireUpgrade(deps.db, clusterId, upgradeId);
  markResumed(before, now); // refused (409) before anything is written
  const planSummary = await replanOnResume(deps.db, before);
  // the resume carries its event, told once its execution has started (a kill in between: the next write of the upgrade tells it)
  const u = await updateUpgradeRecording(
    deps.db,
    clusterId,
    upgradeId,
    (cur) => {
      const resumed = markResumed((paused = cur), now);
      return {
        upgrade: planSummary && cur.planSummary?.rev === before.planSummary?.rev ? { ...resumed, planSummary } : resumed,
        events: [{ at: now, type: 'UpgradeResumed', message: `upgrade resumed in phase ${cur.phase}; batches start again at 1 node`, ...by(deps) }],
      };
    },
    { holdEvents: true },
  );
  // No execution runs it: paused again as it was (its expiry clock and its error too), so the user can resume again; the resume untold.
  await startOrTakeBack(deps, u, paused!, now);
  await writeUpgradeEvents(deps.db, u);
  return u;
}

export async function cancelUpgrade(deps: ControlDeps, clusterId: string, upgradeId: string): Promise<Upgrade> {
  const now = deps.now();
  const current = await requireUpgrade(deps.db, clusterId, upgradeId);
  if (current.status === 'scheduled') return cancelScheduled(deps, current, now);
  let before: Upgrade | undefined;
  const u = await updateUpgradeRecording(
    deps.db,
    clusterId,
    upgradeId,
    (cur) => {
      const cancelling = requestCancel((before = cur), now);
      // asked again: the request on record stands, told once
      return cancelling === cur
        ? null
        : {
            upgrade: cancelling,
            events: [{ at: now, type: 'CancelRequested', message: 'cancel requested: upgraded nodes stay upgraded, nothing new starts', ...by(deps) }],
          };
    },
    { holdEvents: true },
  );
  // A pausing upgrade's execution sees the cancel at its next boundary; a paused one has none running.
  // No execution carries the cancel out: the request is taken back, so the user can cancel again.
  if (u.status === 'paused') await startOrTakeBack(deps, u, before!, now);
  await writeUpgradeEvents(deps.db, u);
  return u;
}

/** Starts the execution the `written` change needs (its next run); one that cannot start takes the change back (undo) and throws. */
async function startOrTakeBack(deps: ControlDeps, written: Upgrade, before: Upgrade, now: string): Promise<void> {
  try {
    await deps.workflow.startExecution({ name: `${written.id}-run${written.executions}`, input: stepInput(written) });
  } catch (err) {
    await undo(deps, written, before, now, err);
    throw err;
  }
}

/**
 * Takes back a write whose execution could not be started: the upgrade as it
 * was `before`, written on condition of the version the write produced, so it
 * never undoes progress an execution made after all (a start that failed only
 * to answer). The execution count stays, so the next try uses a new name.
 */
async function undo(deps: ControlDeps, written: Upgrade, before: Upgrade, now: string, err: unknown): Promise<void> {
  await updateUpgradeRecording(
    deps.db,
    written.clusterId,
    written.id,
    (cur) =>
      cur.version === written.version
        ? {
            // the plan stays the one cut again for the resume: it is the plan a resume follows (its old pages may be gone)
            upgrade: { ...before, executions: cur.executions, ...(cur.planSummary ? { planSummary: cur.planSummary } : {}), updatedAt: now },
            events: [{ at: now, type: 'StartFailed', message: startFailure(err).message }],
          }
        : null,
    // the request it takes back is not told: the events held by the write it undoes go with it
    { dropPending: true },
  );
}

const startFailure = (err: unknown): UpgradeError => ({
  reason: 'StartFailed',
  message: `the state machine could not be started: ${(err as Error)?.message ?? String(err)}`,
  remedy: 'check that the state machine exists and that kupgrade may start it (states:StartExecution), then try again',
});

/** Nothing has touched the cluster yet: the schedule goes, the upgrade ends cancelled, the cluster is free. */
async function cancelScheduled(deps: ControlDeps, scheduled: Upgrade, now: string): Promise<Upgrade> {
  const u = await updateUpgradeRecording(deps.db, scheduled.clusterId, scheduled.id, (cur) =>
    cur.status === 'scheduled'
      ? {
          upgrade: markFinished(cur, 'cancelled', now),
          events: [{ at: now, type: 'UpgradeCancelled', message: 'scheduled upgrade cancelled before it started; its schedule was removed', ...by(deps) }],
        }
      : { upgrade: requestCancel(cur, now), events: [] },
  );
  if (u.status !== 'cancelled') return u;
  await deps.scheduler?.cancelStart(u.id);
  await unlockCluster(deps.db, u.clusterId, u.id, now);
  return u;
}

/**
 * After a resume the worker batches not started yet are cut again from 1,
 * the nodes that failed first; the masters keep their order. Its pages are
 * written before the upgrade points at them.
 */
async function replanOnResume(db: Db, u: Upgrade): Promise<PlanSummary | undefined> {
  if (!u.planSummary || u.phase === 'masters' || u.phase === 'precheck') return undefined;
  const plan = await readPlan(db, { upgradeId: u.id }, u.planSummary);
  if (!plan) return undefined;
  return keepPlan(db, { upgradeId: u.id }, u.planSummary, { ...plan, batches: replanFromStart(plan.batches, u.retryFirst, u.workerCount) });
}
