import { createHash } from 'node:crypto';
import type { NodeInfo } from './clusterSnapshot.js';
import type { UpgradePlan } from './upgrade.js';
import { sameVersion } from './versions.js';

/**
 * Worker batches grow 1, 2, 4, 8, … and never exceed 10% of the cluster's
 * workers (at least 1), so a bad release hurts one node first and at most a
 * tenth of capacity at any time.
 */
export function batchCap(workerCount: number): number {
  return Math.max(1, Math.floor(workerCount / 10));
}

/** Size of the batch at position `rampIndex` (0-based since the start or the last resume). */
export function batchSize(rampIndex: number, workerCount: number): number {
  return Math.min(2 ** Math.min(rampIndex, 30), batchCap(workerCount));
}

/** The sizes of the batches still to run over `remaining` workers, the ramp starting at `rampIndex`. */
export function planBatchSizes(remaining: number, workerCount: number, rampIndex = 0): number[] {
  const sizes: number[] = [];
  let left = remaining;
  for (let i = rampIndex; left > 0; i++) {
    const size = Math.min(batchSize(i, workerCount), left);
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

/**
 * A stable order for candidates, with no clock or randomness: the same
 * cluster and target always give the same order, so the plan an upgrade
 * check shows is the plan the upgrade then follows.
 */
export function candidateOrder(nodes: readonly string[], seed: string, targetVersion: string): string[] {
  const key = (n: string) => createHash('sha256').update(`${seed}/${targetVersion}/${n}`).digest('hex');
  return [...nodes]
    .map((n) => ({ n, k: key(n) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.n);
}

export interface NextBatchInput {
  /** workers not yet at the target version */
  pending: readonly string[];
  /** nodes whose upgrade failed before the last pause: retried first */
  retryFirst: readonly string[];
  workerCount: number;
  rampIndex: number;
  /** the cluster id: the order of workers depends on it and the target, nothing else */
  seed: string;
  targetVersion: string;
}

/** The nodes of the next worker batch: failed nodes first, then candidates in their stable order. */
export function selectNextBatch(input: NextBatchInput): string[] {
  const pending = new Set(input.pending);
  const first = input.retryFirst.filter((n) => pending.has(n));
  const rest = candidateOrder(
    input.pending.filter((n) => !first.includes(n)),
    input.seed,
    input.targetVersion,
  );
  return [...first, ...rest].slice(0, batchSize(input.rampIndex, input.workerCount));
}

/** The whole remaining plan, batch by batch, as selectNextBatch will pick it if nothing fails. */
export function planRemainingBatches(input: NextBatchInput): string[][] {
  const ordered = [
    ...input.retryFirst.filter((n) => input.pending.includes(n)),
    ...candidateOrder(
      input.pending.filter((n) => !input.retryFirst.includes(n)),
      input.seed,
      input.targetVersion,
    ),
  ];
  return cutIntoBatches(ordered, input.workerCount, input.rampIndex);
}

function cutIntoBatches(names: readonly string[], workerCount: number, rampIndex: number): string[][] {
  const batches: string[][] = [];
  let at = 0;
  for (const size of planBatchSizes(names.length, workerCount, rampIndex)) {
    batches.push(names.slice(at, at + size));
    at += size;
  }
  return batches;
}

/** Masters go one at a time in a fixed order; the first of them runs `kubeadm upgrade apply`. */
export function masterOrder(masters: readonly string[]): string[] {
  return [...masters].sort();
}

/** After a resume: the same nodes, failed ones first, cut again into batches with the ramp back at 1. */
export function replanFromStart(batches: readonly (readonly string[])[], retryFirst: readonly string[], workerCount: number): string[][] {
  return cutIntoBatches([...new Set([...retryFirst, ...batches.flat()])], workerCount, 0);
}

/** The masters' order and the worker batches of an upgrade that starts now. */
export function planFor(nodes: readonly Pick<NodeInfo, 'name' | 'role' | 'kubeletVersion'>[], targetVersion: string, clusterId: string): UpgradePlan {
  const workers = nodes.filter((n) => n.role === 'worker');
  const pending = workers.filter((n) => !sameVersion(n.kubeletVersion, targetVersion)).map((n) => n.name);
  return {
    masters: masterOrder(nodes.filter((n) => n.role === 'master').map((n) => n.name)),
    batches: planRemainingBatches({ pending, retryFirst: [], workerCount: workers.length, rampIndex: 0, seed: clusterId, targetVersion }),
  };
}
