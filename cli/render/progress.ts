import type { Upgrade } from '../../src/client/apiClient.js';

/** Workers upgraded of all, as "37/120 (31%)". */
export function workerCount(u: Pick<Upgrade, 'nodes'>): string {
  const { upgraded, total } = u.nodes;
  return `${upgraded}/${total} (${total ? Math.floor((upgraded / total) * 100) : 100}%)`;
}

/** A plain text bar, for the static report (the live display draws its own with cli-progress). */
export function textBar(done: number, total: number, width = 30): string {
  const filled = total ? Math.round((done / total) * width) : width;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export interface BatchCounts {
  done: number;
  failed: number;
  running: number;
  /** batches started and still to start */
  total: number;
}

export function batchCounts(u: Pick<Upgrade, 'batches' | 'plan'>): BatchCounts {
  const count = (status: string) => u.batches.filter((b) => b.status === status).length;
  return { done: count('done'), failed: count('failed'), running: count('running'), total: u.batches.length + (u.plan?.batches.length ?? 0) };
}

/**
 * How long the workers still need, from the pace so far: the time from the first
 * worker batch's start to the last one's end, per finished batch, for every batch
 * not finished (less what the one in flight has already run). Batches grow but run
 * their nodes side by side, so a batch takes about as long as the one before.
 * Undefined until a batch has finished, or when nothing is moving.
 */
export function workersEta(u: Pick<Upgrade, 'batches' | 'plan' | 'status'>, now: number): number | undefined {
  if (u.status !== 'running' && u.status !== 'pausing') return undefined;
  const finished = u.batches.filter((b) => b.status !== 'running' && b.endedAt);
  if (!finished.length || !u.batches[0]) return undefined;
  const first = Date.parse(u.batches[0].startedAt);
  const lastEnd = Math.max(...finished.map((b) => Date.parse(b.endedAt!)));
  const perBatch = (lastEnd - first) / finished.length;
  const { total } = batchCounts(u);
  const inFlight = u.batches.find((b) => b.status === 'running');
  const remaining = (total - finished.length) * perBatch - (inFlight ? now - Date.parse(inFlight.startedAt) : 0);
  return Math.max(0, remaining);
}
