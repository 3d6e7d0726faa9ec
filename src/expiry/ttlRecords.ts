import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import type { Upgrade } from '../domain/upgrade.js';

/** The part of a DynamoDB Streams record the TTL handler reads. */
const StreamRecordSchema = z
  .object({
    eventName: z.string(),
    userIdentity: z.object({ type: z.string(), principalId: z.string() }).optional(),
    dynamodb: z.object({ OldImage: z.record(z.string(), z.unknown()).optional() }).loose(),
  })
  .loose();

const StreamEventSchema = z.object({ Records: z.array(StreamRecordSchema) });

/**
 * Upgrade items that DynamoDB's TTL deleted. A TTL deletion is a REMOVE made
 * by the service itself (userIdentity dynamodb.amazonaws.com); a delete made
 * by a user or by code has no such identity and is ignored.
 */
export function ttlDeletedUpgrades(event: unknown): Upgrade[] {
  const { Records } = StreamEventSchema.parse(event);
  const out: Upgrade[] = [];
  for (const r of Records) {
    const byTtl = r.eventName === 'REMOVE' && r.userIdentity?.type === 'Service' && r.userIdentity.principalId === 'dynamodb.amazonaws.com';
    if (!byTtl || !r.dynamodb.OldImage) continue;
    const item = unmarshall(r.dynamodb.OldImage as never) as Record<string, unknown>;
    if (typeof item.sk !== 'string' || !item.sk.startsWith('UPGRADE#')) continue;
    const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...upgrade } = item;
    out.push(upgrade as unknown as Upgrade);
  }
  return out;
}
