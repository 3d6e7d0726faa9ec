import { pendingChanges } from '../domain/outbox.js';
import type { Upgrade } from '../domain/upgrade.js';
import type { Db } from '../store/db.js';
import { listClusters } from '../store/clusters.js';
import { listWithPendingChanges, removeFromOutbox } from '../store/upgrades.js';
import type { Notifier } from './notifier.js';

/**
 * Publishes the changes waiting in the upgrade's outbox, oldest first, then
 * removes exactly the ids that were delivered. A failed publish leaves them
 * there for the next write or sweep: at least once, each with its stable id.
 */
export async function drainOutbox(db: Pick<Db, 'doc' | 'table'>, notifier: Notifier, u: Upgrade): Promise<string[]> {
  const pending = pendingChanges(u);
  if (!pending.length) return [];
  const delivered = await notifier.publish(pending);
  await removeFromOutbox(db, u.clusterId, u.id, delivered);
  return delivered;
}

/** The sweeper's pass: every upgrade with changes still to publish (a publish that failed after its write and no write since). */
export async function drainAllOutboxes(db: Db, notifier: Notifier): Promise<string[]> {
  const delivered: string[] = [];
  for (const cluster of await listClusters(db)) {
    for (const u of await listWithPendingChanges(db, cluster.id)) delivered.push(...(await drainOutbox(db, notifier, u)));
  }
  return delivered;
}
