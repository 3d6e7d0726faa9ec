import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { InvalidRequestError } from '../domain/errors.js';
import { mapLimit } from '../shared/mapLimit.js';
import { keys, queryAll, type Db } from './db.js';

export interface UpgradeEvent {
  at: string;
  type: string;
  message: string;
  node?: string;
}

export async function appendEvent(db: Db, upgradeId: string, event: UpgradeEvent, expiresAt?: number): Promise<void> {
  await appendEvents(db, upgradeId, [event], expiresAt);
}

/**
 * Events that share a timestamp keep the order they were written in: the
 * key's sequence part is the write's own clock, then the index in the call
 * (steps of one invocation stamp all their events with one `now`, and a
 * batch's node events are written before the batch's own).
 */
export async function appendEvents(db: Db, upgradeId: string, events: readonly UpgradeEvent[], expiresAt?: number): Promise<void> {
  const clock = String(nextWriteClock()).padStart(15, '0');
  const writer = randomBytes(3).toString('hex');
  for (const [i, event] of events.entries()) {
    const seq = `${clock}-${String(i).padStart(5, '0')}-${writer}`;
    await db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...keys.event(upgradeId, event.at, seq), ...event, ...(expiresAt ? { expiresAt } : {}) },
      }),
    );
  }
}

let lastWriteClock = 0;
/** Milliseconds, but never the same twice in this process, so two calls in one millisecond still sort in order. */
function nextWriteClock(): number {
  lastWriteClock = Math.max(Date.now(), lastWriteClock + 1);
  return lastWriteClock;
}

const eventKeys = (upgradeId: string) => ({
  KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
  ExpressionAttributeValues: { ':pk': `UPGRADE#${upgradeId}`, ':e': 'EVENT#' },
});

const eventOf = (item: Record<string, unknown>): UpgradeEvent => ({
  at: item.at as string,
  type: item.type as string,
  message: item.message as string,
  ...(item.node ? { node: item.node as string } : {}),
});

export async function listEvents(db: Db, upgradeId: string): Promise<UpgradeEvent[]> {
  return (await queryAll(db, eventKeys(upgradeId))).map(eventOf);
}

/** Writes per event item in flight at once: a large upgrade has tens of thousands of events, one at a time would outlast a Lambda. */
const EVENT_WRITE_CONCURRENCY = 32;

async function eachEventKey(db: Db, upgradeId: string, fn: (key: { pk: string; sk: string }) => Promise<void>): Promise<number> {
  const items = await queryAll(db, { ...eventKeys(upgradeId), ProjectionExpression: 'pk, sk' });
  await mapLimit(items, EVENT_WRITE_CONCURRENCY, (item) => fn({ pk: item.pk as string, sk: item.sk as string }));
  return items.length;
}

/** Gives every event of the upgrade the paused upgrade's TTL, or takes it away on resume. */
export async function setEventsExpiry(db: Db, upgradeId: string, expiresAt: number | undefined): Promise<number> {
  return eachEventKey(db, upgradeId, (Key) =>
    db.doc.send(
      new UpdateCommand(
        expiresAt === undefined
          ? { TableName: db.table, Key, UpdateExpression: 'REMOVE expiresAt' }
          : { TableName: db.table, Key, UpdateExpression: 'SET expiresAt = :e', ExpressionAttributeValues: { ':e': expiresAt } },
      ),
    ).then(() => undefined),
  );
}

export async function deleteEvents(db: Db, upgradeId: string): Promise<number> {
  return eachEventKey(db, upgradeId, (Key) => db.doc.send(new DeleteCommand({ TableName: db.table, Key })).then(() => undefined));
}

export interface EventPage {
  events: UpgradeEvent[];
  /** pass back as `cursor` for the next page; absent on the last page */
  nextCursor?: string;
}

/** Oldest first, `limit` at a time; the cursor is opaque to callers (the last key read, base64url). */
export async function listEventsPage(db: Db, upgradeId: string, opts: { limit: number; cursor?: string }): Promise<EventPage> {
  let start: Record<string, unknown> | undefined;
  if (opts.cursor) {
    const sk = Buffer.from(opts.cursor, 'base64url').toString('utf8');
    if (!sk.startsWith('EVENT#')) throw new InvalidRequestError('the cursor is not one this API returned', 'pass the nextCursor of the previous page, or none for the first page');
    start = { pk: `UPGRADE#${upgradeId}`, sk };
  }
  const page = await db.doc.send(new QueryCommand({ TableName: db.table, ...eventKeys(upgradeId), Limit: opts.limit, ExclusiveStartKey: start }));
  const events = (page.Items ?? []).map(eventOf);
  const last = page.LastEvaluatedKey?.sk as string | undefined;
  return { events, ...(last ? { nextCursor: Buffer.from(last, 'utf8').toString('base64url') } : {}) };
}
