import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { Upgrade, UpgradeEvent } from '../domain/upgrade.js';
import { eventExpiry } from '../domain/expiry.js';
import { putEvents, stampEvents, withPendingEvents, writePendingEvents } from './events.js';
import { withStatusChange } from '../domain/outbox.js';
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
  u.status === 'paused' && u.expiresAt !== undefined ? { gsi1pk: 'PAUSED', gsi1sk: `${String(u.expiresAt).padStart(12, '0')}#${u.clusterId}#${u.id}` } : {};

export async function insertUpgrade(db: Db, created: Upgrade, events: readonly UpgradeEvent[] = []): Promise<void> {
  const stamped = stampEvents(events);
  const upgrade = withStatusChange(undefined, withPendingEvents(created, stamped));
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
  await putEvents(db, upgrade.id, stamped, eventExpiry(upgrade));
  await db.onUpgradeChange?.(undefined, upgrade);
}

export async function getUpgrade(db: Db, clusterId: string, upgradeId: string): Promise<Upgrade | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.upgrade(clusterId, upgradeId), ConsistentRead: true }));
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
  return updateUpgradeRecording(
    db,
    clusterId,
    upgradeId,
    (cur) => {
      const upgrade = change(cur);
      return upgrade && { upgrade, events: [] };
    },
    { attempts },
  );
}

/** The events the write of `u` left pending, written out unless they are stored already (with the TTL of `u` while it is paused). */
export async function writeUpgradeEvents(db: Db, u: Upgrade): Promise<void> {
  await writePendingEvents(db, u.id, u.pendingEvents, eventExpiry(u));
}

/** A change of the upgrade and the events it makes, written together. */
export interface RecordedChange {
  upgrade: Upgrade;
  events: readonly UpgradeEvent[];
}

export interface RecordingOptions {
  attempts?: number;
  /** keep the events pending in the item, for the caller to write out (writeUpgradeEvents) once what they tell has happened */
  holdEvents?: boolean;
  /** the events the stored item holds pending are taken back, not written: the change undoes the write that decided them */
  dropPending?: boolean;
}

/**
 * updateUpgrade, with the events of the change carried by the same write
 * (StampedEvent) and written out after it. The events an earlier write left
 * pending (a step cut short after its write) are written out first.
 */
export async function updateUpgradeRecording(
  db: Db,
  clusterId: string,
  upgradeId: string,
  change: (current: Upgrade) => RecordedChange | null,
  opts: RecordingOptions = {},
): Promise<Upgrade> {
  const attempts = opts.attempts ?? 8;
  for (let i = 0; ; i++) {
    const current = await requireUpgrade(db, clusterId, upgradeId);
    const changed = change(current);
    if (!changed) return current;
    if (!opts.dropPending) await writeUpgradeEvents(db, current);
    const stamped = stampEvents(changed.events);
    // the notification of a status change goes into the item by this same conditional write
    const { pendingHeld: _held, ...changedUpgrade } = changed.upgrade;
    const next = withStatusChange(current, withPendingEvents(opts.holdEvents ? { ...changedUpgrade, pendingHeld: true } : changedUpgrade, stamped));
    let saved: Upgrade;
    try {
      saved = await saveUpgrade(db, next, current.version);
    } catch (err) {
      if (!(err instanceof VersionConflictError) || i + 1 >= attempts) throw err;
      continue;
    }
    await db.onUpgradeChange?.(current, saved);
    if (!opts.holdEvents) await putEvents(db, upgradeId, stamped, eventExpiry(saved));
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
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :u)',
    ExpressionAttributeValues: { ':pk': `CLUSTER#${clusterId}`, ':u': 'UPGRADE#' },
  });
  return items.map(strip).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}

/**
 * Takes delivered changes out of the outbox: exactly those ids, in one
 * update that leaves the version alone (it changes nothing a writer decides
 * on). A writer that read the item before it may put an id back; it is then
 * delivered again, and its stable id lets the consumer drop it.
 */
export async function removeFromOutbox(db: Pick<Db, 'doc' | 'table'>, clusterId: string, upgradeId: string, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const names = Object.fromEntries(ids.map((id, i) => [`#e${i}`, id]));
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.upgrade(clusterId, upgradeId),
        UpdateExpression: `REMOVE ${ids.map((_, i) => `outbox.#e${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(outbox)',
        ExpressionAttributeNames: names,
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

/** A cluster's upgrades with changes still to publish (the sweeper drains them). */
export async function listWithPendingChanges(db: Db, clusterId: string): Promise<Upgrade[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :u)',
    FilterExpression: 'size(outbox) > :zero',
    ExpressionAttributeValues: { ':pk': `CLUSTER#${clusterId}`, ':u': 'UPGRADE#', ':zero': 0 },
  });
  return items.map(strip);
}
