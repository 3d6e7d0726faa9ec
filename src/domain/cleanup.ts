import { stopFor } from './precedence.js';
import type { Upgrade } from './upgrade.js';

/**
 * At the start of cleanup, by precedence (precedence.ts): a cancel ends the
 * upgrade cancelled (a pause asked for as well does not stop it paused), a
 * pause request stops it paused before cleanup, and otherwise it ends
 * succeeded once kupgrade's helpers are removed.
 */
export function decideCleanup(u: Pick<Upgrade, 'cancelRequested' | 'pauseRequested'>): 'pause' | 'cancelled' | 'succeeded' {
  const stop = stopFor(u);
  if (stop.kind === 'cancel') return 'cancelled';
  if (stop.kind === 'pause') return 'pause';
  return 'succeeded';
}
