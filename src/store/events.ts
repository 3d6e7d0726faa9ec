import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { keys, type Db } from './db.js';

export interface UpgradeEvent {
  at: string;
  type: string;
  message: string;
  node?: string;
}

export async function appendEvent(db: Db, upgradeId: string, event: UpgradeEvent, expiresAt?: number): Promise<void> {
  await appendEvents(db, upgradeId, [event], expiresAt);
}

/** Events of one call that share a timestamp keep the order they were given in (the key's sequence part). */
export async function appendEvents(db: Db, upgradeId: string, events: readonly UpgradeEvent[], expiresAt?: number): Promise<void> {
  const writer = randomBytes(3).toString('hex');
  for (const [i, event] of events.entries()) {
    const seq = `${String(i).padStart(5, '0')}-${writer}`;
    await db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...keys.event(upgradeId, event.at, seq), ...event, ...(expiresAt ? { expiresAt } : {}) },
      }),
    );
  }
}

export async function listEvents(db: Db, upgradeId: string): Promise<UpgradeEvent[]> {
  const out: UpgradeEvent[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': `UPGRADE#${upgradeId}`, ':e': 'EVENT#' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      out.push({ at: item.at, type: item.type, message: item.message, ...(item.node ? { node: item.node } : {}) });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}
