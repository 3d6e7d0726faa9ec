import { stopFor } from './precedence.js';
import type { Batch, Upgrade, UpgradeEvent } from './upgrade.js';
import { shortestJobSeconds } from './pollTiming.js';
import { markPaused, rampAfterBatch } from './upgradeLifecycle.js';

/**
 * A batch whose nodes have all settled (upgraded, failed or held back): the
 * upgrade leaves the batch, moves the ramp, counts what was upgraded, and then,
 * by precedence (precedence.ts), goes on to cleanup with a cancel pending,
 * pauses with the first node's error, or starts validating the batch.
 * Null when the upgrade has already left this batch (a retried step).
 */
export function settleBatch(cur: Upgrade, batch: Batch, args: { now: string; expirySeconds: number }): { upgrade: Upgrade | null; events: UpgradeEvent[] } {
  if (cur.currentBatch !== batch.number) return { upgrade: null, events: [] };
  const { now } = args;
  const done = batch.nodes.filter((n) => n.step === 'done').length;
  const failed = batch.nodes.filter((n) => n.step === 'failed');
  const firstError = failed[0]?.error;
  const jobSeconds = shortestJobSeconds(cur.jobSeconds, batch.nodes);
  const left: Upgrade = {
    ...cur,
    ...(jobSeconds !== undefined ? { jobSeconds } : {}),
    currentBatch: null,
    // a batch in flight across a resume leaves the ramp where the resume put it
    rampIndex: rampAfterBatch(cur, batch),
    retryFirst: failed.map((n) => n.name),
    masters: batch.kind === 'master' ? { ...cur.masters, upgraded: cur.masters.upgraded + done } : cur.masters,
    nodes: batch.kind === 'worker' ? { ...cur.nodes, upgraded: cur.nodes.upgraded + done } : cur.nodes,
    updatedAt: now,
  };
  const label = batch.kind === 'master' ? `master ${batch.index}` : `worker batch ${batch.index}`;
  const events: UpgradeEvent[] = [
    { at: now, type: firstError ? 'BatchFailed' : 'BatchDone', message: `${label} finished: ${done} upgraded, ${failed.length} failed` },
  ];
  const stop = stopFor(cur, firstError);
  switch (stop.kind) {
    case 'cancel':
      // the failed node stays cordoned and its error on record; the next boundary takes the upgrade to cleanup
      return { upgrade: stop.error ? { ...left, error: { ...stop.error, phase: cur.phase } } : left, events };
    case 'failure':
      events.push({ at: now, type: 'UpgradePaused', message: `upgrade paused: ${stop.error.message}`, ...(stop.error.node ? { node: stop.error.node } : {}) });
      return { upgrade: markPaused(left, { now, expirySeconds: args.expirySeconds, error: stop.error }), events };
    default:
      // a pause request takes effect at the boundary, after this batch is validated
      return { upgrade: { ...left, validation: { batch: batch.number, since: now, passes: 0 } }, events };
  }
}
