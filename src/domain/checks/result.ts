import type { ClusterSnapshot, Read } from '../clusterSnapshot.js';
import type { LeaseSelf } from '../clusterLease.js';
import type { CheckResult } from '../upgrade.js';

/** What every check looks at: the target and the snapshot the driver read. */
export interface CheckContext {
  targetVersion: string;
  snapshot: ClusterSnapshot;
  /** the versions kupgrade offers (the catalog by default) */
  catalog?: readonly string[];
  /** who asks: an upgrade's precheck names itself, so its own Lease is not a foreign one; a check alone names only its installation */
  self?: LeaseSelf;
  /** the time of the read (the Lease's lapse is judged against it) */
  now?: string;
}

export type CheckRule = (c: CheckContext) => CheckResult;

export const pass = (name: string, message: string): CheckResult => ({ name, status: 'pass', message, remedy: '' });
export const warn = (name: string, message: string, remedy: string): CheckResult => ({ name, status: 'warn', message, remedy });
export const fail = (name: string, message: string, remedy: string): CheckResult => ({ name, status: 'fail', message, remedy });

/** A part the check needs could not be read: a warning that says what and why, never a silent pass. */
const notRead = (name: string, what: string, reason: string): CheckResult =>
  warn(
    name,
    `not checked: ${what} could not be read (${reason})`,
    `give kupgrade's credentials read access to ${what}, or check this by hand before upgrading`,
  );

/** Runs `check` on a part that was read, or reports why it could not be. */
export function withRead<T>(name: string, what: string, part: Read<T>, check: (value: T) => CheckResult): CheckResult {
  return part.ok ? check(part.value) : notRead(name, what, part.reason);
}

/** How many objects a message names: a report is stored on the upgrade item, which must stay well under DynamoDB's 400 KB. */
const MAX_NAMED = 30;

/** Names the first objects and counts the rest. */
export function named(items: readonly string[], max = MAX_NAMED): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export const podKey = (p: { namespace: string; name: string }): string => `${p.namespace}/${p.name}`;
export const isFinished = (p: { phase: string }): boolean => p.phase === 'Succeeded' || p.phase === 'Failed';
