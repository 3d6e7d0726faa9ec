import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { UpgradeRecipe } from '../cluster/clusterDriver.js';
import type { MaintenanceWindow } from '../domain/maintenanceWindow.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { isConditionFailure, keys, queryAll, withoutKeys, type Db } from './db.js';

export interface Cluster {
  id: string;
  name: string;
  /** the control plane's version */
  version: string;
  /** the oldest kubelet last seen: behind `version` after a cancelled upgrade */
  oldestKubelet?: string;
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
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.cluster(clusterId),
        UpdateExpression: 'REMOVE activeUpgradeId, lockedAt SET updatedAt = :now',
        ConditionExpression: 'activeUpgradeId = :u',
        ExpressionAttributeValues: { ':u': upgradeId, ':now': now },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

export async function setClusterVersion(db: Db, clusterId: string, versions: { version: string; oldestKubelet?: string }, now: string): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.table,
      Key: keys.cluster(clusterId),
      UpdateExpression: versions.oldestKubelet ? 'SET version = :v, oldestKubelet = :k, updatedAt = :now' : 'SET version = :v, updatedAt = :now REMOVE oldestKubelet',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':v': versions.version, ':now': now, ...(versions.oldestKubelet ? { ':k': versions.oldestKubelet } : {}) },
    }),
  );
}

export async function deleteCluster(db: Db, clusterId: string): Promise<void> {
  try {
    await db.doc.send(
      new DeleteCommand({
        TableName: db.table,
        Key: keys.cluster(clusterId),
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(activeUpgradeId)',
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const c = await getCluster(db, clusterId);
    if (!c) throw new NotFoundError(`no cluster with id ${clusterId}`);
    throw new ConflictError(`cluster ${clusterId} has an active upgrade (${c.activeUpgradeId})`, 'cancel or finish the upgrade first');
  }
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
