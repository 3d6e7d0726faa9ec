import type { Upgrade } from '../src/client/apiClient.js';
import { getUpgrade } from './api.js';
import type { Ctx } from './context.js';
import { ChangeLines } from './render/changes.js';
import { LiveDisplay } from './render/live.js';
import { clock } from './render/time.js';

/** Where an upgrade stops moving by itself: ended, or paused until someone resumes or cancels it (a paused upgrade being cancelled still moves). */
export const hasStopped = (u: Pick<Upgrade, 'status' | 'cancelRequested'>) =>
  ['succeeded', 'failed', 'cancelled', 'expired'].includes(u.status) || (u.status === 'paused' && !u.cancelRequested);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Follows an upgrade until it stops: live at a terminal (spinner, bars), else one
 * line per change. `items` (a watch in json or yaml) writes the upgrade itself
 * each time it changed, instead of the lines. Returns the upgrade as it stopped.
 */
export async function followUpgrade(ctx: Ctx, u: Upgrade, opts: { items: boolean }): Promise<Upgrade> {
  const live = ctx.out.interactive ? new LiveDisplay(ctx.io.stderr) : undefined;
  const changes = new ChangeLines();
  // Ctrl-C leaves the terminal as it was (cursor shown, the spinner's line cleared)
  const interrupted = () => {
    live?.stop();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    for (;;) {
      const now = Date.now();
      if (live) live.update(u, now);
      else {
        const lines = changes.next(u, now);
        if (lines.length && opts.items && ctx.out.format !== 'table') ctx.out.item(u, () => '');
        else for (const line of lines) ctx.out.say(`${clock(now)} ${u.clusterId}/${u.id} ${line}`);
      }
      if (hasStopped(u)) return u;
      await sleep(ctx.intervalMs);
      u = await getUpgrade(ctx, u.clusterId, u.id);
    }
  } finally {
    live?.stop();
    process.off('SIGINT', interrupted);
  }
}
