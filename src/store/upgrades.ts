import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { Upgrade } from '../domain/upgrade.js';
import { isConditionFailure, keys, queryAll, withoutKeys, type Db } from './db.js';

/** A write lost a race with another writer of the same upgrade. */
export class VersionConflictError extends ConflictError {
  constructor(upgradeId: string) {
    super(`upgrade ${upgradeId} was changed by someone else meanwhile`, 'read the upgrade again and retry');
  }
}

const strip = (item: Record<string, unknown>): Upgrade => withoutKeys<Upgrade>(item);

/** A paused upgrade is indexed by expiry so the sweeper can find it without a scan. */
const indexAttributes = (u: Upgrade) =>
  u.status === 'paused' && u.expiresAt !== undefined
    ? { gsi1pk: 'PAUSED', gsi1sk: `${String(u.expiresAt).padStart(12, '0')}#${u.clusterId}#${u.id}` }
    : {};

export async function createUpgrade(db: Db, upgrade: Upgrade): Promise<void> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...keys.upgrade(upgrade.clusterId, upgrade.id), ...upgrade, ...indexAttributes(upgrade) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) throw new ConflictError(`upgrade ${upgrade.id} already exists`, 'use a new upgrade id');
    throw err;
  }
  await db.onUpgradeChange?.(undefined, upgrade);
}

export async function getUpgrade(db: Db, clusterId: string, upgradeId: string): Promise<Upgrade | undefined> {
  const out = await db.doc.send(
    new GetCommand({ TableName: db.table, Key: keys.upgrade(clusterId, upgradeId), ConsistentRead: true }),
  );
  return out.Item ? strip(out.Item) : undefined;
}

export async function requireUpgrade(db: Db, clusterId: string, upgradeId: string): Promise<Upgrade> {
  const u = await getUpgrade(db, clusterId, upgradeId);
  if (!u) throw new NotFoundError(`no upgrade ${upgradeId} on cluster ${clusterId}`);
  return u;
}

/**
 * Writes the whole item if nobody wrote it since `expected.version` was read;
 * the stored version goes up by one. Whole-item puts keep the index
 * attributes in step with the status in the same single write.
 */
export async function saveUpgrade(db: Db, next: Upgrade, expectedVersion: number): Promise<Upgrade> {
  const item: Upgrade = { ...next, version: expectedVersion + 1 };
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...keys.upgrade(item.clusterId, item.id), ...item, ...indexAttributes(item) },
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': expectedVersion },
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) throw new VersionConflictError(item.id);
    throw err;
  }
  return item;
}

/**
 * Read-modify-write under optimistic locking, retried on a lost race: `change`
 * sees the freshest item each time and returns the new one, or null to leave it.
 */
export async function updateUpgrade(
  db: Db,
  clusterId: string,
  upgradeId: string,
  change: (current: Upgrade) => Upgrade | null,
  attempts = 8,
): Promise<Upgrade> {
  for (let i = 0; ; i++) {
    const current = await requireUpgrade(db, clusterId, upgradeId);
    const next = change(current);
    if (!next) return current;
    let saved: Upgrade;
    try {
      saved = await saveUpgrade(db, next, current.version);
    } catch (err) {
      if (!(err instanceof VersionConflictError) || i + 1 >= attempts) throw err;
      continue;
    }
    await db.onUpgradeChange?.(current, saved);
    return saved;
  }
}

/** Paused upgrades whose expiry has passed, oldest first, from the index the sweeper reads. */
export async function listExpiredPaused(db: Db, nowEpochSeconds: number): Promise<Array<{ clusterId: string; upgradeId: string }>> {
  const items = await queryAll(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :p AND gsi1sk <= :t',
    ExpressionAttributeValues: { ':p': 'PAUSED', ':t': `${String(nowEpochSeconds).padStart(12, '0')}#~` },
  });
  return items.map((item) => ({ clusterId: item.clusterId as string, upgradeId: item.id as string }));
}

export async function listUpgrades(db: Db, clusterId: string): Promise<Upgrade[]> {
  const items = await queryAll(db, { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :u)', ExpressionAttributeValues: { ':pk': `CLUSTER#${clusterId}`, ':u': 'UPGRADE#' } });
  return items.map(strip).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}
