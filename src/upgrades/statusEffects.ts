import { Logger } from '@aws-lambda-powertools/logger';
import type { Upgrade } from '../domain/upgrade.js';
import type { Notifier } from '../notify/notifier.js';
import type { Db } from '../store/db.js';
import { setEventsExpiry } from '../store/events.js';
import type { UpgradeChangeListener } from '../store/upgradeChanges.js';

const effectsLogger = new Logger({ serviceName: 'kupgrade' });

/**
 * What follows a status change, wherever it happened: it is published, and
 * the upgrade's events take on its TTL while it is paused (and lose it on
 * resume), so DynamoDB deletes them together with it.
 */
export function statusEffects(db: Pick<Db, 'doc' | 'table'>, notifier: Notifier, log: Pick<Logger, 'error'> = effectsLogger): UpgradeChangeListener {
  return async (before: Upgrade | undefined, after: Upgrade) => {
    if (before?.status === after.status) return;
    // The status change is already stored: a failing follow-up must not turn it into an error for the caller,
    // who would then see a change that happened reported as one that did not (and skip what must follow it).
    const attempt = async (what: string, effect: () => Promise<unknown>) => {
      try {
        await effect();
      } catch (err) {
        log.error(`status change ${before?.status ?? 'none'} → ${after.status}: ${what} failed`, { upgradeId: after.id, clusterId: after.clusterId, error: err as Error });
      }
    };
    if (after.status === 'paused' && after.expiresAt !== undefined) await attempt('stamping its events with the expiry', () => setEventsExpiry(db, after.id, after.expiresAt));
    if (before?.status === 'paused' && after.status === 'running') await attempt('removing the expiry from its events', () => setEventsExpiry(db, after.id, undefined));
    await attempt('publishing it', () => notifier.publish({
      clusterId: after.clusterId,
      upgradeId: after.id,
      from: before?.status ?? null,
      to: after.status,
      phase: after.phase,
      toVersion: after.toVersion,
      ...(after.error && after.status === 'paused' ? { error: after.error } : {}),
      at: after.updatedAt,
    }));
  };
}
