import { Logger } from '@aws-lambda-powertools/logger';
import type { Upgrade } from '../domain/upgrade.js';
import type { Notifier } from '../notify/notifier.js';
import { createDb, type Db } from '../store/db.js';
import { setEventsExpiry } from '../store/events.js';
import type { UpgradeChangeListener } from '../store/upgradeChanges.js';
import { drainOutbox } from '../notify/drainOutbox.js';

const effectsLogger = new Logger({ serviceName: 'kupgrade' });

/**
 * What follows a write of an upgrade, wherever it happened: the status
 * changes waiting in its outbox are published (after every write, so a
 * failed delivery is tried again at the next one, and by the sweeper), and
 * the upgrade's events take on its TTL while it is paused (and lose it on
 * resume), so DynamoDB deletes them together with it.
 */
export function statusEffects(db: Pick<Db, 'doc' | 'table'>, notifier: Notifier, log: Pick<Logger, 'error' | 'info'> = effectsLogger): UpgradeChangeListener {
  return async (before: Upgrade | undefined, after: Upgrade) => {
    // The write is already stored: a failing follow-up must not turn it into an error for the caller,
    // who would then see a change that happened reported as one that did not (and skip what must follow it).
    const attempt = async (what: string, effect: () => Promise<unknown>) => {
      try {
        await effect();
      } catch (err) {
        log.error(`status change ${before?.status ?? 'none'} → ${after.status}: ${what} failed`, {
          upgradeId: after.id,
          clusterId: after.clusterId,
          error: err as Error,
        });
      }
    };
    if (before?.status !== after.status) {
      // the one line per state change at info (requests and steps are at debug)
      log.info(`status ${before?.status ?? 'none'} → ${after.status}`, {
        upgradeId: after.id,
        clusterId: after.clusterId,
        phase: after.phase,
        ...(after.error ? { reason: after.error.reason } : {}),
      });
      if (after.status === 'paused' && after.expiresAt !== undefined)
        await attempt('stamping its events with the expiry', () => setEventsExpiry(db, after.id, after.expiresAt));
      if (before?.status === 'paused' && after.status === 'running')
        await attempt('removing the expiry from its events', () => setEventsExpiry(db, after.id, undefined));
    }
    await attempt('publishing it (kept in the outbox for the next try)', () => drainOutbox(db, notifier, after));
  };
}

/** The table, with every write of an upgrade followed by its effects (status changes published on `notifier`). */
export function createDbWithStatusEffects(options: Parameters<typeof createDb>[0], notifier: Notifier): Db {
  const db = createDb(options);
  db.onUpgradeChange = statusEffects(db, notifier);
  return db;
}
