import { requireUpgradePath } from '../domain/catalog.js';
import { ConflictError } from '../domain/errors.js';
import type { Upgrade } from '../domain/upgrade.js';
import { normalizeVersion } from '../domain/versions.js';
import { findStaleLock, lockCluster, releaseLock, requireCluster } from '../store/clusters.js';
import type { Db } from '../store/db.js';
import { insertUpgrade, getUpgrade, writeUpgradeEvents } from '../store/upgrades.js';
import { newUpgrade } from './newUpgrade.js';

/**
 * Creates an upgrade and takes the cluster's lock, in two single-item
 * conditional writes: lock first, then the item. Calling it again with the
 * same id finishes a start that crashed in between; a lock left by a crash
 * or by an upgrade that ended is recognised and released.
 */
export async function createUpgrade(
  db: Db,
  args: { clusterId: string; upgradeId: string; targetVersion: string; now: string; startAt?: string; by?: string },
): Promise<Upgrade> {
  const existing = await getUpgrade(db, args.clusterId, args.upgradeId);
  if (existing) {
    // a retried start finishes what a crash cut short, its first event included
    await writeUpgradeEvents(db, existing);
    return existing;
  }
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
  // the item carries its first event: a start cut short after the insert loses none (the next write of the item writes it out)
  const created = {
    at: args.now,
    type: 'UpgradeCreated',
    message: `upgrade from ${upgrade.fromVersion} to ${upgrade.toVersion} ${upgrade.scheduledAt ? `scheduled for ${upgrade.scheduledAt}` : 'created'}`,
    ...(args.by ? { by: args.by } : {}),
  };
  try {
    await insertUpgrade(db, upgrade, [created]);
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    return (await getUpgrade(db, args.clusterId, args.upgradeId)) ?? upgrade;
  }
  return upgrade;
}
