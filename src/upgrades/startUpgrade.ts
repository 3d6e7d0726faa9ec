import { ConflictError, InvalidRequestError } from '../domain/errors.js';
import type { Upgrade } from '../domain/upgrade.js';
import { isTerminal } from '../domain/upgradeStatus.js';
import { isExpired } from '../domain/expiry.js';
import { checkClusterTarget, normalizeVersion } from '../domain/versions.js';
import { getCluster, lockCluster, requireCluster, unlockCluster } from '../store/clusters.js';
import type { Db } from '../store/db.js';
import { appendEvent } from '../store/events.js';
import { createUpgrade, getUpgrade } from '../store/upgrades.js';
import { newUpgrade } from './newUpgrade.js';

/** How long a lock may point at an upgrade item that was never written before it counts as a crashed start. */
const ORPHAN_LOCK_MS = 60_000;

/**
 * Creates an upgrade and takes the cluster's lock, in two single-item
 * conditional writes: lock first, then the item. Calling it again with the
 * same id finishes a start that crashed in between; a lock left by a crash
 * or by an upgrade that ended is recognised and released.
 */
export async function startUpgrade(
  db: Db,
  args: { clusterId: string; upgradeId: string; targetVersion: string; now: string; startAt?: string },
): Promise<Upgrade> {
  const existing = await getUpgrade(db, args.clusterId, args.upgradeId);
  if (existing) return existing;
  const cluster = await requireCluster(db, args.clusterId);
  const verdict = checkClusterTarget({ serverVersion: cluster.version, oldestKubelet: cluster.oldestKubelet, target: args.targetVersion });
  if (!verdict.ok) {
    throw new InvalidRequestError(verdict.message, `choose a newer patch of ${cluster.version} or the next minor version`);
  }
  await releaseStaleLock(db, args.clusterId, args.now);
  await lockCluster(db, args.clusterId, args.upgradeId, args.now);
  const upgrade = newUpgrade({
    id: args.upgradeId,
    clusterId: args.clusterId,
    fromVersion: cluster.version,
    toVersion: normalizeVersion(args.targetVersion),
    now: args.now,
    startAt: args.startAt,
  });
  try {
    await createUpgrade(db, upgrade);
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    return (await getUpgrade(db, args.clusterId, args.upgradeId)) ?? upgrade;
  }
  await appendEvent(db, upgrade.id, {
    at: args.now,
    type: 'UpgradeCreated',
    message: `upgrade from ${upgrade.fromVersion} to ${upgrade.toVersion} ${upgrade.scheduledAt ? `scheduled for ${upgrade.scheduledAt}` : 'created'}`,
  });
  return upgrade;
}

async function releaseStaleLock(db: Db, clusterId: string, now: string): Promise<void> {
  const cluster = await getCluster(db, clusterId);
  const holder = cluster?.activeUpgradeId;
  if (!holder) return;
  const held = await getUpgrade(db, clusterId, holder);
  const orphaned = !held && Date.parse(now) - Date.parse(cluster.lockedAt ?? now) > ORPHAN_LOCK_MS;
  if ((held && (isTerminal(held.status) || isExpired(held, now))) || orphaned) await unlockCluster(db, clusterId, holder, now);
}
