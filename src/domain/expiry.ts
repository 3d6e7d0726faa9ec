import type { Upgrade } from './upgrade.js';
import type { UpgradeStatus } from './upgradeStatus.js';

/**
 * DynamoDB's TTL deletion can lag by days, so no read trusts an item whose
 * `expiresAt` has passed: a paused upgrade past its expiry is expired,
 * whether or not a closer has got to it yet.
 */
export function isExpired(u: Pick<Upgrade, 'status' | 'expiresAt'>, now: string): boolean {
  return u.status === 'paused' && u.expiresAt !== undefined && u.expiresAt * 1000 <= Date.parse(now);
}

export function effectiveStatus(u: Pick<Upgrade, 'status' | 'expiresAt'>, now: string): UpgradeStatus {
  return isExpired(u, now) ? 'expired' : u.status;
}

export function expiresAtFor(pausedAt: string, expirySeconds: number): number {
  // rounded up: an upgrade never expires before it has been paused for the full time
  return Math.ceil(Date.parse(pausedAt) / 1000) + expirySeconds;
}

/** Events written while an upgrade is paused carry its TTL, like the ones stamped when it paused: they go with it. */
export function eventExpiry(u: Pick<Upgrade, 'status' | 'expiresAt'>): number | undefined {
  return u.status === 'paused' ? u.expiresAt : undefined;
}
