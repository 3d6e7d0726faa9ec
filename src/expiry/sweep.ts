import { listExpiredPaused } from '../store/upgrades.js';
import { closeExpiredUpgrade, type CloseContext } from './closeExpired.js';

/** Finds paused upgrades past their expiry through the index and closes each. */
export async function sweepExpired(ctx: CloseContext): Promise<{ closed: string[] }> {
  const due = await listExpiredPaused(ctx.db, Math.floor(Date.parse(ctx.now()) / 1000));
  const closed: string[] = [];
  for (const ids of due) {
    if ((await closeExpiredUpgrade(ctx, ids)) === 'closed') closed.push(ids.upgradeId);
  }
  return { closed };
}
