import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { InvalidRequestError } from '../domain/errors.js';
import type { StampedEvent, UpgradeEvent } from '../domain/upgrade.js';
import { mapLimit } from '../shared/mapLimit.js';
import { keys, queryAll, type Db } from './db.js';

export async function appendEvent(db: Db, upgradeId: string, event: UpgradeEvent, expiresAt?: number): Promise<void> {
  await appendEvents(db, upgradeId, [event], expiresAt);
}

/** Writes per event item in flight at once: a large upgrade has tens of thousands of events, one at a time would outlast a Lambda. */
const EVENT_WRITE_CONCURRENCY = 32;

/** Events not carried by a write of their own: keyed now and written at once. */
export async function appendEvents(db: Db, upgradeId: string, events: readonly UpgradeEvent[], expiresAt?: number): Promise<void> {
  await putEvents(db, upgradeId, stampEvents(events), expiresAt);
}

/**
 * Gives events their keys now, so that writing them again later writes the
 * same items. Events that share a timestamp keep the order they were decided
 * in: the key's sequence part is this process's write clock, then the index
 * (steps of one invocation stamp all their events with one `now`, and a
 * batch's node events are stamped before the batch's own).
 */
export function stampEvents(events: readonly UpgradeEvent[]): StampedEvent[] {
  if (!events.length) return [];
  const clock = String(nextWriteClock()).padStart(15, '0');
  const writer = randomBytes(3).toString('hex');
  return events.map((event, i) => ({ ...event, seq: `${clock}-${String(i).padStart(5, '0')}-${writer}` }));
}

/** Several at once (a batch of 50 nodes tells 150 events in one step); their keys, not the order of the writes, keep their order. */
export async function putEvents(db: Db, upgradeId: string, stamped: readonly StampedEvent[], expiresAt?: number): Promise<void> {
  await mapLimit(stamped, EVENT_WRITE_CONCURRENCY, ({ seq, ...event }) =>
    db.doc
      .send(new PutCommand({ TableName: db.table, Item: { ...keys.event(upgradeId, event.at, seq), ...event, ...(expiresAt ? { expiresAt } : {}) } }))
      .then(() => undefined),
  );
  if (stamped.length) rememberWritten(upgradeId, stamped);
}

/**
 * Writes out the events a write left pending in its item, unless they are
 * known to be stored: written by this process, or read back. Called before the
 * item is written again, so a step cut short between its write and its
 * events loses none, and the same keys double none.
 */
export async function writePendingEvents(db: Db, upgradeId: string, pending: readonly StampedEvent[] | undefined, expiresAt?: number): Promise<void> {
  if (!pending?.length || isKnownWritten(upgradeId, pending)) return;
  const stored = await storedKeys(
    db,
    pending.map((e) => keys.event(upgradeId, e.at, e.seq)),
  );
  await putEvents(
    db,
    upgradeId,
    pending.filter((e) => !stored.has(keys.event(upgradeId, e.at, e.seq).sk)),
    expiresAt,
  );
  rememberWritten(upgradeId, pending);
}

/** The sort keys of those of `wanted` that are stored (GetItem, which every role that writes events may already call). */
async function storedKeys(db: Db, wanted: readonly { pk: string; sk: string }[]): Promise<Set<string>> {
  const found = await mapLimit(wanted, EVENT_WRITE_CONCURRENCY, async (Key) => {
    const out = await db.doc.send(new GetCommand({ TableName: db.table, Key, ConsistentRead: true, ProjectionExpression: 'sk' }));
    return out.Item ? Key.sk : undefined;
  });
  return new Set(found.filter((sk) => sk !== undefined));
}

/** The last events this process wrote out, by upgrade: an idle poll need not read them back. Bounded, as a Lambda lives long. */
const written = new Set<string>();
const WRITTEN_KEPT = 1000;
const lastKey = (pending: readonly StampedEvent[]) => pending[pending.length - 1]!.seq;
const isKnownWritten = (upgradeId: string, pending: readonly StampedEvent[]) => written.has(`${upgradeId}|${lastKey(pending)}`);
function rememberWritten(upgradeId: string, stamped: readonly StampedEvent[]): void {
  written.add(`${upgradeId}|${lastKey(stamped)}`);
  if (written.size > WRITTEN_KEPT) written.delete(written.values().next().value!);
}

/**
 * The most event text one item carries. A batch of a big cluster tells three
 * events for each of its hundreds of nodes in one step: carried, they would
 * push the item past DynamoDB's 400 KB. Past this budget a write's events
 * are not carried, only written after it, as before the outbox (a step cut
 * short in between then loses them).
 */
const CARRIED_EVENTS_BYTES = 64 * 1024;

/** The item with exactly these events pending, when they fit: none left from the write before (they are written out by then). */
export function withPendingEvents<T extends { pendingEvents?: StampedEvent[] }>(item: T, stamped: StampedEvent[]): T {
  const { pendingEvents: _written, ...rest } = item;
  const fits = stamped.length > 0 && Buffer.byteLength(JSON.stringify(stamped)) <= CARRIED_EVENTS_BYTES;
  return (fits ? { ...rest, pendingEvents: stamped } : rest) as T;
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
  ...(item.by ? { by: item.by as string } : {}),
});

export async function listEvents(db: Db, upgradeId: string): Promise<UpgradeEvent[]> {
  return (await queryAll(db, eventKeys(upgradeId))).map(eventOf);
}

async function eachEventKey(db: Db, upgradeId: string, fn: (key: { pk: string; sk: string }) => Promise<void>): Promise<number> {
  const items = await queryAll(db, { ...eventKeys(upgradeId), ProjectionExpression: 'pk, sk' });
  await mapLimit(items, EVENT_WRITE_CONCURRENCY, (item) => fn({ pk: item.pk as string, sk: item.sk as string }));
  return items.length;
}

/** Gives every event of the upgrade the paused upgrade's TTL, or takes it away on resume. */
export async function setEventsExpiry(db: Db, upgradeId: string, expiresAt: number | undefined): Promise<number> {
  return eachEventKey(db, upgradeId, (Key) =>
    db.doc
      .send(
        new UpdateCommand(
          expiresAt === undefined
            ? { TableName: db.table, Key, UpdateExpression: 'REMOVE expiresAt' }
            : { TableName: db.table, Key, UpdateExpression: 'SET expiresAt = :e', ExpressionAttributeValues: { ':e': expiresAt } },
        ),
      )
      .then(() => undefined),
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

/**
 * Oldest first, `limit` at a time; the cursor is opaque to callers (the last
 * key read, base64url). `pending` are the events the upgrade's last write
 * carries (StampedEvent): it stores them just after the write, so a reader
 * that has seen the change would otherwise read the events before its own.
 * They are shown where their keys put them, once stored or not, so a page
 * read again later is the same page.
 */
export async function listEventsPage(
  db: Db,
  upgradeId: string,
  opts: { limit: number; cursor?: string; pending?: readonly StampedEvent[] },
): Promise<EventPage> {
  let after: string | undefined;
  if (opts.cursor) {
    after = Buffer.from(opts.cursor, 'base64url').toString('utf8');
    if (!after.startsWith('EVENT#'))
      throw new InvalidRequestError('the cursor is not one this API returned', 'pass the nextCursor of the previous page, or none for the first page');
  }
  const page = await db.doc.send(
    new QueryCommand({
      TableName: db.table,
      ...eventKeys(upgradeId),
      Limit: opts.limit,
      ExclusiveStartKey: after ? { pk: `UPGRADE#${upgradeId}`, sk: after } : undefined,
    }),
  );
  const stored = (page.Items ?? []).map((item) => ({ sk: item.sk as string, event: eventOf(item) }));
  const through = page.LastEvaluatedKey?.sk as string | undefined;
  const seen = new Set(stored.map((e) => e.sk));
  const unstored = (opts.pending ?? [])
    .map(({ seq, ...event }) => ({ sk: keys.event(upgradeId, event.at, seq).sk, event }))
    .filter(({ sk }) => !seen.has(sk) && (after === undefined || sk > after) && (through === undefined || sk <= through));
  const all = [...stored, ...unstored].sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
  const merged = all.slice(0, opts.limit);
  // past the limit with the pending ones, the page ends at its last event shown, and the next one starts after it
  const last = all.length > opts.limit ? merged.at(-1)!.sk : through;
  return { events: merged.map((e) => e.event), ...(last ? { nextCursor: Buffer.from(last, 'utf8').toString('base64url') } : {}) };
}
