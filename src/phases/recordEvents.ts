import type { Db } from '../store/db.js';
import { appendEvents, type UpgradeEvent } from '../store/events.js';

export async function recordEvents(db: Db, upgradeId: string, events: readonly UpgradeEvent[]): Promise<void> {
  await appendEvents(db, upgradeId, events);
}
