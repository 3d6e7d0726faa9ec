import { inCatalog, VERSION_CATALOG } from '../domain/catalog.js';
import { ConflictError, InvalidRequestError } from '../domain/errors.js';
import type { Upgrade } from '../domain/upgrade.js';
import { checkClusterTarget, normalizeVersion } from '../domain/versions.js';
import { findStaleLock, lockCluster, releaseLock, requireCluster, type Cluster } from '../store/clusters.js';
import type { Db } from '../store/db.js';
import { appendEvent } from '../store/events.js';
import { createUpgrade, getUpgrade } from '../store/upgrades.js';
import { newUpgrade } from './newUpgrade.js';

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
  requireUpgradePath(cluster, args.targetVersion);
  // conditional on exactly the lock judged stale, so a start that re-took it meanwhile keeps it
  const stale = await findStaleLock(db, cluster, args.now);
  if (stale) await releaseLock(db, args.clusterId, stale, args.now);
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

/** The version policy applied to the cluster as stored: a 400 naming why, for an upgrade and for a check alike. */
export function requireUpgradePath(cluster: Pick<Cluster, 'version' | 'oldestKubelet'>, targetVersion: string): void {
  const verdict = checkClusterTarget({ serverVersion: cluster.version, oldestKubelet: cluster.oldestKubelet, target: targetVersion });
  if (!verdict.ok) {
    throw new InvalidRequestError(verdict.message, `choose a newer patch of ${cluster.version} or the next minor version`);
  }
  // Only versions of the catalog are offered (GET /versions), as a managed console offers its list; a start by hand gets the same answer.
  if (!inCatalog(targetVersion)) {
    throw new InvalidRequestError(`${targetVersion} is not a version kupgrade offers`, `choose one of ${VERSION_CATALOG.join(', ')} (GET /versions, or availableUpgrades of the cluster)`);
  }
}
