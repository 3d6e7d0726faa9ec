import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { UpgradeRecipe } from '../kube/clusterDriver.js';
import type { MaintenanceWindow } from '../domain/maintenanceWindow.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { isExpired } from '../domain/expiry.js';
import { isTerminal } from '../domain/upgradeStatus.js';
import { isConditionFailure, keys, queryAll, withoutKeys, type Db } from './db.js';
import { getUpgrade } from './upgrades.js';

export interface Cluster {
  id: string;
  name: string;
  /** the control plane's version */
  version: string;
  /** the oldest kubelet last seen: behind `version` after a cancelled upgrade */
  oldestKubelet?: string;
  /** which physical cluster this is: the UID of its kube-system namespace (store/identities.ts holds it to one registration) */
  identity?: string;
  /** where the kubeconfig lives: `file:<path>` locally, a Secrets Manager ARN when deployed; never the secret */
  kubeconfigRef: string;
  recipe?: UpgradeRecipe;
  /** when worker batches may start; none means any time */
  maintenanceWindow?: MaintenanceWindow;
  activeUpgradeId?: string;
  lockedAt?: string;
  createdAt: string;
  updatedAt: string;
}

const strip = (item: Record<string, unknown>): Cluster => withoutKeys<Cluster>(item);

export async function putCluster(db: Db, cluster: Cluster): Promise<void> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...keys.cluster(cluster.id), gsi1pk: 'CLUSTER', gsi1sk: cluster.id, ...cluster },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) throw new ConflictError(`cluster ${cluster.id} already exists`, 'choose another name or unregister it first');
    throw err;
  }
}

export async function getCluster(db: Db, clusterId: string): Promise<Cluster | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.cluster(clusterId), ConsistentRead: true }));
  return out.Item ? strip(out.Item) : undefined;
}

export async function requireCluster(db: Db, clusterId: string): Promise<Cluster> {
  const c = await getCluster(db, clusterId);
  if (!c) throw new NotFoundError(`no cluster with id ${clusterId}`, 'list clusters with GET /clusters');
  return c;
}

export async function listClusters(db: Db): Promise<Cluster[]> {
  const items = await queryAll(db, { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :c', ExpressionAttributeValues: { ':c': 'CLUSTER' } });
  return items.map(strip);
}

/**
 * Takes the cluster's one-upgrade lock. Succeeds again for the same upgrade
 * (a retried start), fails with a ConflictError naming the holder otherwise.
 */
export async function lockCluster(db: Db, clusterId: string, upgradeId: string, now: string): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.cluster(clusterId),
        UpdateExpression: 'SET activeUpgradeId = :u, lockedAt = :now, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(activeUpgradeId) OR activeUpgradeId = :u)',
        ExpressionAttributeValues: { ':u': upgradeId, ':now': now },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const c = await getCluster(db, clusterId);
    if (!c) throw new NotFoundError(`no cluster with id ${clusterId}`);
    throw new ConflictError(
      `cluster ${clusterId} already has an active upgrade (${c.activeUpgradeId})`,
      'wait for it to end, or pause and cancel it, then start again',
    );
  }
}

/** Releases the lock if this upgrade still holds it; releasing twice is harmless. */
export async function unlockCluster(db: Db, clusterId: string, upgradeId: string, now: string): Promise<void> {
  await removeLock(db, clusterId, { condition: 'activeUpgradeId = :lockHolder', values: { ':lockHolder': upgradeId } }, now);
}

/** The cluster's lock as it was read: who holds it and since when. */
export interface ClusterLock {
  upgradeId: string;
  lockedAt?: string;
}

/** How long a lock may point at an upgrade item that was never written before it counts as a crashed start. */
const ORPHAN_LOCK_MS = 60_000;

/** The condition that the lock is still exactly `lock`: same holder, taken at the same time. */
const sameLock = (lock: ClusterLock) => ({
  condition: `activeUpgradeId = :lockHolder AND ${lock.lockedAt === undefined ? 'attribute_not_exists(lockedAt)' : 'lockedAt = :lockedAt'}`,
  values: { ':lockHolder': lock.upgradeId, ...(lock.lockedAt === undefined ? {} : { ':lockedAt': lock.lockedAt }) },
});

/**
 * The cluster's lock if nothing holds it any more: its upgrade ended, or is
 * paused past its expiry (expired, whether or not a closer got to it yet), or
 * was never written and the lock is older than a start takes (a start that
 * crashed between its two writes). Undefined when the cluster is free or the
 * lock is live.
 */
export async function findStaleLock(db: Db, cluster: Cluster, now: string): Promise<ClusterLock | undefined> {
  if (!cluster.activeUpgradeId) return undefined;
  const lock: ClusterLock = { upgradeId: cluster.activeUpgradeId, ...(cluster.lockedAt ? { lockedAt: cluster.lockedAt } : {}) };
  const held = await getUpgrade(db, cluster.id, lock.upgradeId);
  if (held) return isTerminal(held.status) || isExpired(held, now) ? lock : undefined;
  const orphaned = lock.lockedAt !== undefined && Date.parse(now) - Date.parse(lock.lockedAt) > ORPHAN_LOCK_MS;
  return orphaned ? lock : undefined;
}

/**
 * Releases the lock only if it is still exactly the one judged stale: a start
 * that re-took it meanwhile (same upgrade, new `lockedAt`) or another upgrade
 * that took it keeps it. Returns whether it released it.
 */
export async function releaseLock(db: Db, clusterId: string, lock: ClusterLock, now: string): Promise<boolean> {
  return removeLock(db, clusterId, sameLock(lock), now);
}

/** Removes the lock under `guard`; false when the guard no longer holds. */
async function removeLock(db: Db, clusterId: string, guard: { condition: string; values: Record<string, string> }, now: string): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.cluster(clusterId),
        UpdateExpression: 'REMOVE activeUpgradeId, lockedAt SET updatedAt = :now',
        ConditionExpression: guard.condition,
        ExpressionAttributeValues: { ...guard.values, ':now': now },
      }),
    );
    return true;
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    return false;
  }
}

export async function setClusterVersion(db: Db, clusterId: string, versions: { version: string; oldestKubelet?: string }, now: string): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.table,
      Key: keys.cluster(clusterId),
      UpdateExpression: versions.oldestKubelet
        ? 'SET version = :v, oldestKubelet = :k, updatedAt = :now'
        : 'SET version = :v, updatedAt = :now REMOVE oldestKubelet',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':v': versions.version, ':now': now, ...(versions.oldestKubelet ? { ':k': versions.oldestKubelet } : {}) },
    }),
  );
}

/**
 * Deletes the cluster item if no live upgrade holds it. A lock left by an
 * upgrade that ended or expired, or by a start that crashed, is recognised as
 * createUpgrade recognises it, and the delete is then conditional on exactly
 * that lock, so it never removes a cluster a new start has just locked.
 */
export async function deleteCluster(db: Db, clusterId: string, now: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const cluster = await getCluster(db, clusterId);
    if (!cluster) throw new NotFoundError(`no cluster with id ${clusterId}`);
    const stale = await findStaleLock(db, cluster, now);
    if (cluster.activeUpgradeId && !stale) {
      throw new ConflictError(`cluster ${clusterId} has an active upgrade (${cluster.activeUpgradeId})`, 'cancel or finish the upgrade first');
    }
    const same = stale && sameLock(stale);
    try {
      await db.doc.send(
        new DeleteCommand({
          TableName: db.table,
          Key: keys.cluster(clusterId),
          ConditionExpression: same ? `attribute_exists(pk) AND ${same.condition}` : 'attribute_exists(pk) AND attribute_not_exists(activeUpgradeId)',
          ...(same ? { ExpressionAttributeValues: same.values } : {}),
        }),
      );
      return;
    } catch (err) {
      // the lock changed between the read and the delete: judge it again
      if (!isConditionFailure(err)) throw err;
    }
  }
  throw new ConflictError(`cluster ${clusterId} kept changing while it was being unregistered`, 'try again');
}

export async function setMaintenanceWindow(db: Db, clusterId: string, window: MaintenanceWindow | null, now: string): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.cluster(clusterId),
        UpdateExpression: window ? 'SET maintenanceWindow = :w, updatedAt = :now' : 'REMOVE maintenanceWindow SET updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': now, ...(window ? { ':w': window } : {}) },
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) throw new NotFoundError(`no cluster with id ${clusterId}`);
    throw err;
  }
}

/** Records the identity of a cluster registered before identities were read (its claim is made first). */
export async function setClusterIdentity(db: Db, clusterId: string, identity: string, now: string): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.cluster(clusterId),
        UpdateExpression: 'SET #i = :i, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#i)',
        ExpressionAttributeNames: { '#i': 'identity' },
        ExpressionAttributeValues: { ':i': identity, ':now': now },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}
