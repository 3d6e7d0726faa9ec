import type { Db } from '../store/db.js';
import { appendEvent, type UpgradeEvent } from '../store/events.js';

export async function recordEvents(db: Db, upgradeId: string, events: readonly UpgradeEvent[]): Promise<void> {
  for (const e of events) await appendEvent(db, upgradeId, e);
}
