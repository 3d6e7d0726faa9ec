import { InvalidRequestError } from '../domain/errors.js';
import { finishUpgrade, requestCancel, requestPause, resumeUpgrade } from '../domain/upgradeLifecycle.js';
import { unlockCluster } from '../store/clusters.js';
import type { SchedulerPort } from '../workflow/schedulerPort.js';
import type { Upgrade, UpgradeError } from '../domain/upgrade.js';
import type { Db } from '../store/db.js';
import { appendEvent } from '../store/events.js';
import { requireUpgrade, updateUpgrade } from '../store/upgrades.js';
import type { WorkflowPort } from '../workflow/workflowPort.js';
import { startUpgrade } from './startUpgrade.js';

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
}

const stepInput = (u: Upgrade) => ({ clusterId: u.clusterId, upgradeId: u.id });

export async function requestUpgrade(deps: ControlDeps, args: { clusterId: string; upgradeId: string; targetVersion: string; startAt?: string }): Promise<Upgrade> {
  const now = deps.now();
  if (args.startAt !== undefined) {
    if (!(Date.parse(args.startAt) > Date.parse(now))) throw new InvalidRequestError(`startAt ${args.startAt} is not in the future`, 'give an ISO time after now, or leave startAt out to start at once');
    if (!deps.scheduler) throw new InvalidRequestError('scheduled upgrades are not available here', 'leave startAt out');
  }
  const u = await startUpgrade(deps.db, { ...args, now });
  try {
    if (u.status === 'scheduled') await deps.scheduler!.scheduleStart({ name: u.id, at: u.scheduledAt!, input: stepInput(u) });
    else await deps.workflow.startExecution({ name: u.id, input: stepInput(u) });
  } catch (err) {
    // Nothing ran: end the upgrade with the reason and free the cluster, rather than leave it holding the lock with nothing to move it.
    const ended = await updateUpgrade(deps.db, u.clusterId, u.id, (cur) =>
      cur.version === u.version ? { ...finishUpgrade(cur, cur.status === 'scheduled' ? 'cancelled' : 'failed', now), error: startFailure(err) } : null,
    );
    if (ended.phase === 'done') await unlockCluster(deps.db, u.clusterId, u.id, now);
    throw err;
  }
  return u;
}

export async function pauseRequest(deps: ControlDeps, clusterId: string, upgradeId: string): Promise<Upgrade> {
  const now = deps.now();
  const u = await updateUpgrade(deps.db, clusterId, upgradeId, (cur) => requestPause(cur, now));
  await appendEvent(deps.db, u.id, { at: now, type: 'PauseRequested', message: 'pause requested: the nodes in flight finish, no new node starts' });
  return u;
}

export async function resumeRequest(deps: ControlDeps, clusterId: string, upgradeId: string): Promise<Upgrade> {
  const now = deps.now();
  let paused: Upgrade | undefined;
  const u = await updateUpgrade(deps.db, clusterId, upgradeId, (cur) => resumeUpgrade((paused = cur), now));
  try {
    await deps.workflow.startExecution({ name: `${u.id}-run${u.executions}`, input: stepInput(u) });
  } catch (err) {
    // No execution runs it: paused again as it was (its expiry clock and its error too), so the user can resume again.
    if (await undo(deps, u, paused!, now)) await appendEvent(deps.db, u.id, { at: now, type: 'StartFailed', message: startFailure(err).message }, paused!.expiresAt);
    throw err;
  }
  await appendEvent(deps.db, u.id, { at: now, type: 'UpgradeResumed', message: `upgrade resumed in phase ${u.phase}; batches start again at 1 node` });
  return u;
}

export async function cancelRequest(deps: ControlDeps, clusterId: string, upgradeId: string): Promise<Upgrade> {
  const now = deps.now();
  const current = await requireUpgrade(deps.db, clusterId, upgradeId);
  if (current.status === 'scheduled') return cancelScheduled(deps, current, now);
  let before: Upgrade | undefined;
  const u = await updateUpgrade(deps.db, clusterId, upgradeId, (cur) => requestCancel((before = cur), now));
  // A pausing upgrade's execution sees the cancel at its next boundary; a paused one has none running.
  if (u.status === 'paused') {
    try {
      await deps.workflow.startExecution({ name: `${u.id}-run${u.executions}`, input: stepInput(u) });
    } catch (err) {
      // No execution carries the cancel out: take the request back, so the user can cancel again.
      if (await undo(deps, u, before!, now)) await appendEvent(deps.db, u.id, { at: now, type: 'StartFailed', message: startFailure(err).message }, before!.expiresAt);
      throw err;
    }
  }
  await appendEvent(deps.db, u.id, { at: now, type: 'CancelRequested', message: 'cancel requested: upgraded nodes stay upgraded, nothing new starts' });
  return u;
}

/**
 * Takes back a write whose execution could not be started: the upgrade as it
 * was `before`, written on condition of the version the write produced, so it
 * never undoes progress an execution made after all (a start that failed only
 * to answer). The execution count stays, so the next try uses a new name.
 * True when it wrote.
 */
async function undo(deps: ControlDeps, written: Upgrade, before: Upgrade, now: string): Promise<boolean> {
  let undone = false;
  await updateUpgrade(deps.db, written.clusterId, written.id, (cur) => ((undone = cur.version === written.version) ? { ...before, executions: cur.executions, updatedAt: now } : null));
  return undone;
}

const startFailure = (err: unknown): UpgradeError => ({
  reason: 'StartFailed',
  message: `the state machine could not be started: ${(err as Error)?.message ?? String(err)}`,
  remedy: 'check that the state machine exists and that kupgrade may start it (states:StartExecution), then try again',
});

/** Nothing has touched the cluster yet: the schedule goes, the upgrade ends cancelled, the cluster is free. */
async function cancelScheduled(deps: ControlDeps, scheduled: Upgrade, now: string): Promise<Upgrade> {
  const u = await updateUpgrade(deps.db, scheduled.clusterId, scheduled.id, (cur) => (cur.status === 'scheduled' ? finishUpgrade(cur, 'cancelled', now) : requestCancel(cur, now)));
  if (u.status !== 'cancelled') return u;
  await deps.scheduler?.cancelStart(u.id);
  await unlockCluster(deps.db, u.clusterId, u.id, now);
  await appendEvent(deps.db, u.id, { at: now, type: 'UpgradeCancelled', message: 'scheduled upgrade cancelled before it started; its schedule was removed' });
  return u;
}
