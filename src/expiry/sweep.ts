import { drainAllOutboxes } from '../notify/drainOutbox.js';
import type { Notifier } from '../notify/notifier.js';
import { listExpiredPaused } from '../store/upgrades.js';
import { repairExecutions, type RepairContext, type RepairOutcome } from '../upgrades/repairExecutions.js';
import { closeExpiredUpgrade, type CloseContext } from './closeExpired.js';

/** Finds paused upgrades past their expiry through the index and closes each. */
async function sweepExpired(ctx: CloseContext): Promise<{ closed: string[] }> {
  const due = await listExpiredPaused(ctx.db, Math.floor(Date.parse(ctx.now()) / 1000));
  const closed: string[] = [];
  for (const ids of due) {
    if ((await closeExpiredUpgrade(ctx, ids)) === 'closed') closed.push(ids.upgradeId);
  }
  return { closed };
}

export type SweepContext = CloseContext & RepairContext & { notifier?: Notifier };
export type SweepOutcome = { closed: string[]; delivered: string[] } & RepairOutcome;

/**
 * What the scheduled sweeper does (deployed hourly, locally every
 * SWEEP_SECONDS): closes expired upgrades, repairs upgrades left with no
 * execution running them, and publishes the status changes a failed publish
 * left in an outbox.
 */
export async function sweep(ctx: SweepContext): Promise<SweepOutcome> {
  const { closed } = await sweepExpired(ctx);
  const repaired = await repairExecutions(ctx);
  const delivered = ctx.notifier ? await drainAllOutboxes(ctx.db, ctx.notifier) : [];
  return { closed, delivered, ...repaired };
}
