import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../domain/errors.js';
import type { Batch, UpgradeEvent } from '../domain/upgrade.js';
import { putEvents, stampEvents, withPendingEvents, writePendingEvents } from './events.js';
import { isConditionFailure, keys, queryAll, withoutKeys, type Db } from './db.js';

const strip = (item: Record<string, unknown>): Batch => withoutKeys<Batch>(item);

/**
 * Creates batch `number` unless it exists; returns the stored one either way.
 * A crash after this write and before the upgrade item points at the batch
 * leaves a batch the next step adopts instead of planning another. One left
 * so by an earlier execution (the upgrade was paused and resumed since: the
 * ramp starts again at 1) and never started (every node still pending) is
 * planned again: nothing acted on it, as the upgrade never pointed at it.
 */
export async function createOrAdoptBatch(db: Db, batch: Batch): Promise<Batch> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = attempt === 0 ? undefined : await getBatch(db, batch.upgradeId, batch.number);
    const replaces = existing && isUnstartedOrphan(existing, batch) ? existing : undefined;
    if (existing && !replaces) return existing;
    try {
      await db.doc.send(
        new PutCommand({
          TableName: db.table,
          Item: { ...keys.batch(batch.upgradeId, batch.number), ...batch, ...(replaces ? { version: replaces.version + 1 } : {}) },
          ...(replaces
            ? { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': replaces.version } }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
      return replaces ? { ...batch, version: replaces.version + 1 } : batch;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
  // changed under us twice: whatever is stored now is the batch
  const stored = await getBatch(db, batch.upgradeId, batch.number);
  if (!stored) throw new ConflictError(`batch ${batch.number} of upgrade ${batch.upgradeId} kept changing`, 'the step is retried');
  return stored;
}

const isUnstartedOrphan = (existing: Batch, next: Batch) =>
  existing.execution !== undefined && next.execution !== undefined && existing.execution < next.execution && existing.nodes.every((n) => n.step === 'pending');

export async function getBatch(db: Db, upgradeId: string, n: number): Promise<Batch | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.batch(upgradeId, n), ConsistentRead: true }));
  return out.Item ? strip(out.Item) : undefined;
}

/**
 * Writes the batch if nobody wrote it since `read`, with the events of this
 * change carried by the same write and written out after it; the events the
 * write of `read` left pending are written out first (src/domain/upgrade.ts,
 * StampedEvent). `expiresAt`: the paused upgrade's TTL, for events written
 * while it is paused.
 */
export async function saveBatch(
  db: Db,
  next: Batch,
  read: Pick<Batch, 'upgradeId' | 'version' | 'pendingEvents'>,
  record: { events?: readonly UpgradeEvent[]; expiresAt?: number } = {},
): Promise<Batch> {
  await writePendingEvents(db, read.upgradeId, read.pendingEvents, record.expiresAt);
  const stamped = stampEvents(record.events ?? []);
  const item = withPendingEvents({ ...next, version: read.version + 1 }, stamped);
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...keys.batch(item.upgradeId, item.number), ...item },
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': read.version },
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) {
      throw new ConflictError(`batch ${item.number} of upgrade ${item.upgradeId} was changed concurrently`, 'the step is retried');
    }
    throw err;
  }
  await putEvents(db, item.upgradeId, stamped, record.expiresAt);
  return item;
}

export async function listBatches(db: Db, upgradeId: string): Promise<Batch[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)',
    ExpressionAttributeValues: { ':pk': `UPGRADE#${upgradeId}`, ':b': 'BATCH#' },
  });
  return items.map(strip);
}
