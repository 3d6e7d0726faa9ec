import type { Upgrade, UpgradeError } from './upgrade.js';

/**
 * One upgrade per physical cluster, whoever runs it: a coordination.k8s.io/v1
 * Lease `kupgrade` in kube-upgrade names the installation of kupgrade (its
 * table) and the upgrade that holds the cluster. The table's lock keeps one
 * upgrade per registration; the Lease keeps two registrations, two stages or
 * two installations apart.
 *
 * Taken before the first change to the cluster and read at every step;
 * renewed once an eighth of its duration has passed (15 minutes by default,
 * so a poll reads it and writes nothing), for LEASE_SECONDS while the upgrade runs: longer than the longest gap
 * between two steps (a closed maintenance window is looked at hourly, a Task
 * may run 300 s and be retried for a few minutes more), so it never lapses
 * under a live upgrade. While paused it runs to the upgrade's expiry: a paused
 * upgrade still holds the nodes it keeps cordoned. It is released when the
 * upgrade ends.
 */
export const LEASE_NAME = 'kupgrade';
/** The running duration, in seconds, unless LEASE_SECONDS says otherwise: two hours. */
export const DEFAULT_LEASE_SECONDS = 7200;

/** The Lease as read from the cluster. */
export interface LeaseRecord {
  holderIdentity?: string;
  installation?: string;
  upgradeId?: string;
  /** the registration the holder upgrades it under, for the message */
  clusterId?: string;
  renewTime?: string;
  acquireTime?: string;
  leaseDurationSeconds?: number;
  leaseTransitions?: number;
}

export interface LeaseSelf {
  installation: string;
  upgradeId: string;
  clusterId: string;
}

export type LeaseDecision =
  /** nobody holds it: take it */
  | { kind: 'take' }
  /** this upgrade holds it: renew it */
  | { kind: 'renew' }
  /** this upgrade holds it, renewed recently for the duration it wants: leave it */
  | { kind: 'keep' }
  /** its holder stopped renewing past its duration: take it over, and say so */
  | { kind: 'takeOver'; from: LeaseRecord }
  /** another upgrade holds it, live: touch nothing */
  | { kind: 'refuse'; holder: LeaseRecord; liveUntil?: string };

export const holderIdentity = (self: LeaseSelf) => `${self.upgradeId}@${self.installation}`;

/** When a Lease lapses: its last renewal plus its duration; undefined for one that never lapses by this rule (no renewal recorded). */
export function lapsesAt(lease: LeaseRecord): string | undefined {
  const renewed = lease.renewTime ?? lease.acquireTime;
  if (!renewed || lease.leaseDurationSeconds === undefined) return undefined;
  return new Date(Date.parse(renewed) + lease.leaseDurationSeconds * 1000).toISOString();
}

/** A held Lease is renewed once this share of its duration has passed since its last renewal. */
const RENEW_AFTER_SHARE = 1 / 8;

/** `durationSeconds`: the duration the holder wants now; without it a held Lease is always renewed. */
export function decideLease(lease: LeaseRecord | undefined, self: LeaseSelf, now: string, durationSeconds?: number): LeaseDecision {
  if (!lease || !lease.holderIdentity) return { kind: 'take' };
  if (lease.installation === self.installation && lease.upgradeId === self.upgradeId)
    return freshFor(lease, now, durationSeconds) ? { kind: 'keep' } : { kind: 'renew' };
  const until = lapsesAt(lease);
  if (until && Date.parse(now) > Date.parse(until)) return { kind: 'takeOver', from: lease };
  return { kind: 'refuse', holder: lease, ...(until ? { liveUntil: until } : {}) };
}

function freshFor(lease: LeaseRecord, now: string, durationSeconds: number | undefined): boolean {
  if (durationSeconds === undefined || lease.leaseDurationSeconds !== durationSeconds || !lease.renewTime) return false;
  const age = (Date.parse(now) - Date.parse(lease.renewTime)) / 1000;
  return age >= 0 && age < durationSeconds * RENEW_AFTER_SHARE;
}

/** How long the Lease is written for: LEASE_SECONDS while the upgrade runs, to its expiry while it is paused. */
export function leaseDurationFor(u: Pick<Upgrade, 'status' | 'expiresAt'>, now: string, runningSeconds: number): number {
  if (u.status === 'paused' && u.expiresAt !== undefined) return Math.max(runningSeconds, Math.ceil(u.expiresAt - Date.parse(now) / 1000));
  return runningSeconds;
}

/** Who holds it, in words an operator can act on. */
export function describeHolder(holder: LeaseRecord): string {
  if (holder.upgradeId && holder.installation) {
    return `upgrade ${holder.upgradeId}${holder.clusterId ? ` of cluster ${holder.clusterId}` : ''} run by the kupgrade installation ${holder.installation}`;
  }
  return `"${holder.holderIdentity}"`;
}

/** The error an upgrade pauses with when another upgrade holds the cluster. */
export function clusterLeasedError(holder: LeaseRecord, liveUntil: string | undefined): UpgradeError {
  return {
    reason: 'ClusterLeased',
    message: `the cluster is being upgraded by ${describeHolder(holder)} (Lease kube-upgrade/${LEASE_NAME}${liveUntil ? `, held until ${liveUntil} unless renewed` : ''}); this upgrade changed nothing`,
    remedy: `let that upgrade finish, or pause and cancel it where it runs; once its Lease is released${liveUntil ? ` (or lapses, at ${liveUntil} at the latest)` : ''}, resume this upgrade`,
  };
}
