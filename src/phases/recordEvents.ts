import type { Upgrade } from '../domain/upgrade.js';
import type { Db } from '../store/db.js';
import { appendEvents, type UpgradeEvent } from '../store/events.js';

/** Events written while an upgrade is paused carry its TTL, like the ones stamped when it paused. */
export async function recordEvents(db: Db, upgrade: Pick<Upgrade, 'id' | 'status' | 'expiresAt'>, events: readonly UpgradeEvent[]): Promise<void> {
  await appendEvents(db, upgrade.id, events, upgrade.status === 'paused' ? upgrade.expiresAt : undefined);
}
