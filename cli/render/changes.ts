import type { Upgrade } from '../../src/client/apiClient.js';
import { workerCount } from './progress.js';
import { stateLine, waitText } from './status.js';
import { stamp } from './time.js';

/**
 * Without a terminal a follow prints one line per change: each fact about the
 * upgrade (its state, the masters, the workers, the batch in flight, each node's
 * step and wait, the upgrade's wait, its error) is a keyed line, and a line is
 * printed when its fact changes.
 */
function facts(u: Upgrade, now: number): Map<string, string> {
  const f = new Map<string, string>();
  // a scheduled upgrade's line would say "in 5m" and change at every look
  f.set('state', u.status === 'scheduled' ? `scheduled for ${u.scheduledAt ? stamp(u.scheduledAt) : '?'}` : stateLine(u, now));
  // before the precheck has read the cluster the counts are zeros, not news
  if (u.phase !== 'precheck' || u.masters.total > 0) {
    const current = u.masters.current ? `, master ${u.masters.current} of ${u.masters.total} (${u.masters.currentName ?? '?'})` : '';
    f.set('masters', `masters ${u.masters.upgraded}/${u.masters.total}${current}`);
    f.set('workers', `workers ${workerCount(u)}`);
  }
  const b = u.currentBatch;
  if (b) {
    f.set(
      'batch',
      b.kind === 'master'
        ? `master ${b.index} started: ${b.nodes.map((n) => n.name).join(', ')}`
        : `batch ${b.index} started: ${b.nodes.map((n) => n.name).join(', ')}`,
    );
    for (const n of b.nodes) {
      // the elapsed time is left out: it changes at every look
      const wait = n.waitingFor ? `, waiting for ${n.waitingFor.reason}${n.waitingFor.object ? ` ${n.waitingFor.object}` : ''}: ${n.waitingFor.message}` : '';
      f.set(`node ${n.name}`, `${n.name} ${n.step}${wait}`);
    }
  }
  if (u.waitingFor) f.set('wait', `waiting for ${waitText({ ...u.waitingFor, deadline: undefined }, now)}`);
  if (u.error)
    f.set(
      'error',
      `error ${u.error.reason}${u.error.node ? ` on ${u.error.node}` : ''}: ${u.error.message}${u.error.remedy ? ` (remedy: ${u.error.remedy})` : ''}`,
    );
  return f;
}

export class ChangeLines {
  private seen = new Map<string, string>();

  /** The lines that changed since the last look, in a fixed order. */
  next(u: Upgrade, now: number): string[] {
    const lines: string[] = [];
    for (const [key, line] of facts(u, now)) {
      if (this.seen.get(key) !== line) lines.push(line);
      this.seen.set(key, line);
    }
    return lines;
  }
}
