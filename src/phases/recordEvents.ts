import type { Upgrade } from '../domain/upgrade.js';
import type { Db } from '../store/db.js';
import type { UpgradeEvent } from '../domain/upgrade.js';
import { appendEvents } from '../store/events.js';
import { eventExpiry } from '../domain/expiry.js';

/** Events written while an upgrade is paused carry its TTL, like the ones stamped when it paused. */
export async function recordEvents(db: Db, upgrade: Pick<Upgrade, 'id' | 'status' | 'expiresAt'>, events: readonly UpgradeEvent[]): Promise<void> {
  await appendEvents(db, upgrade.id, events, eventExpiry(upgrade));
}
