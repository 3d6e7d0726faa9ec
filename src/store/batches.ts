import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../domain/errors.js';
import type { Batch } from '../domain/upgrade.js';
import { isConditionFailure, keys, queryAll, withoutKeys, type Db } from './db.js';

const strip = (item: Record<string, unknown>): Batch => withoutKeys<Batch>(item);

/**
 * Creates batch `number` unless it exists; returns the stored one either way.
 * A crash after this write and before the upgrade item points at the batch
 * leaves a batch the next step adopts instead of planning another.
 */
export async function createOrAdoptBatch(db: Db, batch: Batch): Promise<Batch> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...keys.batch(batch.upgradeId, batch.number), ...batch },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return batch;
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const existing = await getBatch(db, batch.upgradeId, batch.number);
    if (!existing) throw err;
    return existing;
  }
}

export async function getBatch(db: Db, upgradeId: string, n: number): Promise<Batch | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.batch(upgradeId, n), ConsistentRead: true }));
  return out.Item ? strip(out.Item) : undefined;
}

export async function saveBatch(db: Db, next: Batch, expectedVersion: number): Promise<Batch> {
  const item = { ...next, version: expectedVersion + 1 };
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...keys.batch(item.upgradeId, item.number), ...item },
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': expectedVersion },
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) {
      throw new ConflictError(`batch ${item.number} of upgrade ${item.upgradeId} was changed concurrently`, 'the step is retried');
    }
    throw err;
  }
  return item;
}

export async function listBatches(db: Db, upgradeId: string): Promise<Batch[]> {
  const items = await queryAll(db, { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)', ExpressionAttributeValues: { ':pk': `UPGRADE#${upgradeId}`, ':b': 'BATCH#' } });
  return items.map(strip);
}
