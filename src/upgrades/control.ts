import { requestCancel, requestPause, resumeUpgrade } from '../domain/upgradeLifecycle.js';
import type { Upgrade } from '../domain/upgrade.js';
import type { Db } from '../store/db.js';
import { appendEvent } from '../store/events.js';
import { updateUpgrade } from '../store/upgrades.js';
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
  now(): string;
}

const stepInput = (u: Upgrade) => ({ clusterId: u.clusterId, upgradeId: u.id });

export async function requestUpgrade(deps: ControlDeps, args: { clusterId: string; upgradeId: string; targetVersion: string }): Promise<Upgrade> {
  const u = await startUpgrade(deps.db, { ...args, now: deps.now() });
  await deps.workflow.startExecution({ name: u.id, input: stepInput(u) });
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
  const u = await updateUpgrade(deps.db, clusterId, upgradeId, (cur) => resumeUpgrade(cur, now));
  await appendEvent(deps.db, u.id, { at: now, type: 'UpgradeResumed', message: `upgrade resumed in phase ${u.phase}; batches start again at 1 node` });
  await deps.workflow.startExecution({ name: `${u.id}-run${u.executions}`, input: stepInput(u) });
  return u;
}

export async function cancelRequest(deps: ControlDeps, clusterId: string, upgradeId: string): Promise<Upgrade> {
  const now = deps.now();
  const u = await updateUpgrade(deps.db, clusterId, upgradeId, (cur) => requestCancel(cur, now));
  await appendEvent(deps.db, u.id, { at: now, type: 'CancelRequested', message: 'cancel requested: upgraded nodes stay upgraded, nothing new starts' });
  // A pausing upgrade's execution sees the cancel at its next boundary; a paused one has none running.
  if (u.status === 'paused') await deps.workflow.startExecution({ name: `${u.id}-run${u.executions}`, input: stepInput(u) });
  return u;
}
