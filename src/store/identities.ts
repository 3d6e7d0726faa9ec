import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../domain/errors.js';
import { getCluster } from './clusters.js';
import { isConditionFailure, type Db } from './db.js';

/**
 * One physical cluster, one registration: an item per cluster identity (the
 * UID of its kube-system namespace) naming the registration that holds it,
 * written with a conditional put of its own. The cluster item is written
 * after it, so a crash in between leaves a claim naming a cluster that does
 * not exist: once older than a registration takes, such a claim (or one left
 * by an unregistration cut short) is taken over by the next registration.
 */
interface IdentityClaim {
  identity: string;
  clusterId: string;
  claimedAt: string;
}

/** How long a claim may name a cluster not yet written before it counts as left by a crash. */
const ORPHAN_CLAIM_MS = 60_000;

const key = (identity: string) => ({ pk: `IDENTITY#${identity}`, sk: 'META' });

async function getClaim(db: Db, identity: string): Promise<IdentityClaim | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.table, Key: key(identity), ConsistentRead: true }));
  return out.Item ? { identity, clusterId: out.Item.clusterId as string, claimedAt: out.Item.claimedAt as string } : undefined;
}

/**
 * Claims `identity` for registration `clusterId`. Claiming it again for the
 * same registration succeeds (a retried registration, a fill-in); a claim
 * held by another registration that exists is a 409 naming it.
 */
export async function claimIdentity(db: Db, identity: string, clusterId: string, now: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const held = await getClaim(db, identity);
    if (held?.clusterId === clusterId) return;
    if (held && (await isLive(db, held, now))) {
      throw new ConflictError(
        `this cluster (kube-system namespace ${identity}) is already registered as ${held.clusterId}`,
        `use the registration ${held.clusterId}, or unregister it first (DELETE /clusters/${held.clusterId})`,
      );
    }
    try {
      await db.doc.send(
        new PutCommand({
          TableName: db.table,
          Item: { ...key(identity), clusterId, claimedAt: now },
          // a claim left by a crash is taken over only as it was read: another registration that took it meanwhile keeps it
          ...(held
            ? { ConditionExpression: 'clusterId = :c AND claimedAt = :t', ExpressionAttributeValues: { ':c': held.clusterId, ':t': held.claimedAt } }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
      return;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
  throw new ConflictError(`the registration of cluster identity ${identity} kept changing`, 'try again');
}

/** A claim stands while its registration exists with this identity, or is still being written. */
async function isLive(db: Db, claim: IdentityClaim, now: string): Promise<boolean> {
  const cluster = await getCluster(db, claim.clusterId);
  if (cluster) return cluster.identity === undefined || cluster.identity === claim.identity;
  return Date.parse(now) - Date.parse(claim.claimedAt) < ORPHAN_CLAIM_MS;
}

/** Gives the identity up if `clusterId` still holds it; releasing twice is harmless. */
export async function releaseIdentity(db: Db, identity: string, clusterId: string): Promise<void> {
  try {
    await db.doc.send(
      new DeleteCommand({ TableName: db.table, Key: key(identity), ConditionExpression: 'clusterId = :c', ExpressionAttributeValues: { ':c': clusterId } }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}
