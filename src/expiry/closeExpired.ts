import type { ClusterDriver } from '../kube/clusterDriver.js';
import { isExpired } from '../domain/expiry.js';
import type { Upgrade } from '../domain/upgrade.js';
import { markFinished } from '../domain/upgradeLifecycle.js';
import { getCluster, unlockCluster } from '../store/clusters.js';
import type { Db } from '../store/db.js';
import { deleteEvents } from '../store/events.js';
import { insertUpgrade, getUpgrade, updateUpgrade } from '../store/upgrades.js';
import type { Cluster } from '../store/clusters.js';

export interface CloseContext {
  db: Db;
  now(): string;
  driverFor(cluster: Cluster): Promise<ClusterDriver>;
  /** this installation's name, as the Lease in the cluster records it */
  config?: { installation: string };
}

export type CloseOutcome = 'closed' | 'already-closed' | 'not-expired' | 'gone';

/**
 * Closes an upgrade left paused past its expiry: status `expired`, cluster
 * unlocked, kupgrade's helpers removed from the cluster, events deleted.
 * The sweeper and the TTL stream both call it, in any order and any number
 * of times; `deleted` is the item as DynamoDB's TTL removed it, if it did.
 */
export async function closeExpiredUpgrade(ctx: CloseContext, ids: { clusterId: string; upgradeId: string }, deleted?: Upgrade): Promise<CloseOutcome> {
  const now = ctx.now();
  let u = await getUpgrade(ctx.db, ids.clusterId, ids.upgradeId);
  const closedBefore = u?.status === 'expired' && (await getCluster(ctx.db, u.clusterId))?.activeUpgradeId !== u.id;
  if (!u) {
    if (!deleted) return 'gone';
    // TTL removed the item: put back a tombstone so the upgrade still reads as expired.
    const { expiresAt: _e, ...rest } = deleted;
    await insertUpgrade(ctx.db, { ...rest, status: 'expired', phase: 'done', currentBatch: null, updatedAt: now }).catch(() => undefined);
    u = (await getUpgrade(ctx.db, ids.clusterId, ids.upgradeId)) ?? deleted;
  } else if (u.status === 'paused') {
    if (!isExpired(u, now)) return 'not-expired';
    u = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => (cur.status === 'paused' ? markFinished(cur, 'expired', now) : null));
  } else if (u.status !== 'expired') {
    return 'not-expired';
  }
  await unlockCluster(ctx.db, u.clusterId, u.id, now);
  await removeHelpers(ctx, u);
  await deleteEvents(ctx.db, u.id);
  return closedBefore ? 'already-closed' : 'closed';
}

async function removeHelpers(ctx: CloseContext, u: Upgrade): Promise<void> {
  const cluster = await getCluster(ctx.db, u.clusterId);
  if (!cluster) return;
  try {
    const driver = await ctx.driverFor(cluster);
    await driver.deleteUpgradeJobs(u.id);
    // the cluster is free again for whoever upgrades it next
    if (ctx.config) await driver.releaseLease({ installation: ctx.config.installation, upgradeId: u.id, clusterId: u.clusterId });
  } catch {
    // An unreachable cluster must not keep the upgrade open; its Jobs are found by label and removed by the next cleanup.
  }
}
