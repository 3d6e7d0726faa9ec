import type { Upgrade } from '../domain/upgrade.js';
import type { Notifier } from '../notify/notifier.js';
import type { Db } from '../store/db.js';
import { setEventsExpiry } from '../store/events.js';
import type { UpgradeChangeListener } from '../store/upgradeChanges.js';

/**
 * What follows a status change, wherever it happened: it is published, and
 * the upgrade's events take on its TTL while it is paused (and lose it on
 * resume), so DynamoDB deletes them together with it.
 */
export function statusEffects(db: Pick<Db, 'doc' | 'table'>, notifier: Notifier): UpgradeChangeListener {
  return async (before: Upgrade | undefined, after: Upgrade) => {
    if (before?.status === after.status) return;
    if (after.status === 'paused' && after.expiresAt !== undefined) await setEventsExpiry(db, after.id, after.expiresAt);
    if (before?.status === 'paused' && after.status === 'running') await setEventsExpiry(db, after.id, undefined);
    await notifier.publish({
      clusterId: after.clusterId,
      upgradeId: after.id,
      from: before?.status ?? null,
      to: after.status,
      phase: after.phase,
      toVersion: after.toVersion,
      ...(after.error && after.status === 'paused' ? { error: after.error } : {}),
      at: after.updatedAt,
    });
  };
}
