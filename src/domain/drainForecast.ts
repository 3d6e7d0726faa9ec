import { batchSize, selectNextBatch } from './batchPlan.js';
import { toDo } from './boundary.js';
import type { NodeInfo, SnapshotPdb } from './clusterSnapshot.js';
import { selectorMatches } from './labelSelector.js';
import type { Upgrade } from './upgrade.js';
import { isTerminal } from './upgradeStatus.js';

/** The batch a forecast is about: the next one to start. */
export interface ForecastBatch {
  phase: 'masters' | 'nodes';
  /** 1-based, within its phase, as the upgrade's batches count */
  number: number;
  nodes: string[];
}

/** A pod on a node of that batch, as the drain would treat it. */
export interface ForecastPod {
  namespace: string;
  name: string;
  node: string;
  labels: Record<string, string>;
  /** Kind/name of its controller, null for a bare pod */
  owner: string | null;
  /** false for what a drain leaves (DaemonSet and mirror pods, kupgrade's own Job) or deletes without moving (finished, already terminating) */
  moves: boolean;
}

/** What the forecast reads from the cluster: the pods on the batch's nodes and their namespaces' budgets. */
export interface DrainForecastRead {
  pods: ForecastPod[];
  pdbs: SnapshotPdb[];
}

export interface DrainForecast {
  batch: ForecastBatch | null;
  pods: Omit<ForecastPod, 'labels'>[];
  blockingBudgets: { namespace: string; name: string; allowedDisruptions: number; pods: string[] }[];
}

/** A node as the cluster shows it now: enough to tell whether it is still to do. */
export type LiveNode = Pick<NodeInfo, 'name' | 'role' | 'kubeletVersion' | 'unschedulable' | 'annotations'>;

/**
 * The batch that starts next: while one runs, the one after it (the plan's
 * next); while paused, the one a resume starts, chosen as the boundary will
 * choose it from the nodes still to do (failed nodes first, the ramp back at
 * 1), so a node a pause left unstarted is counted. Null once nothing is left.
 */
export function nextBatchOf(u: Upgrade, live?: readonly LiveNode[]): ForecastBatch | null {
  if (isTerminal(u.status) || u.phase === 'cleanup' || u.phase === 'done') return null;
  const order = u.masters.order.length ? u.masters.order : (u.planSummary?.masters ?? []);
  const workerBatch = (nodes: string[]): ForecastBatch | null => (nodes.length ? { phase: 'nodes', number: u.workerBatches + 1, nodes } : null);
  if (u.status === 'paused' && live) {
    const todo = live.filter((n) => toDo(n, u.toVersion));
    const master = order.findIndex((name) => todo.some((n) => n.name === name && n.role === 'master'));
    if (u.phase !== 'nodes' && master >= 0) return { phase: 'masters', number: master + 1, nodes: [order[master]!] };
    const pending = todo.filter((n) => n.role === 'worker').map((n) => n.name);
    return workerBatch(
      selectNextBatch({ pending, retryFirst: u.retryFirst, workerCount: u.workerCount, rampIndex: 0, seed: u.clusterId, targetVersion: u.toVersion }),
    );
  }
  if (u.phase === 'precheck' || u.phase === 'masters') {
    const inFlight = u.phase === 'masters' && u.currentBatch !== null ? 1 : 0;
    const index = u.masters.upgraded + inFlight;
    if (index < order.length) return { phase: 'masters', number: index + 1, nodes: [order[index]!] };
  }
  const planned = u.planSummary?.next ?? [];
  // pausing: the batch in flight ends, then a resume starts at 1, failed nodes first
  return workerBatch(u.status === 'pausing' ? [...new Set([...u.retryFirst, ...planned])].slice(0, batchSize(0, u.workerCount)) : planned);
}

/**
 * What draining those nodes would do now: the pods that move, and the
 * PodDisruptionBudgets selecting them that allow no disruption, so the
 * drain would wait on them (and pause the upgrade at its timeout).
 */
export function forecastDrain(batch: ForecastBatch | null, pods: readonly ForecastPod[], pdbs: readonly SnapshotPdb[]): DrainForecast {
  if (!batch) return { batch, pods: [], blockingBudgets: [] };
  const onBatch = new Set(batch.nodes);
  const mine = pods.filter((p) => onBatch.has(p.node));
  const moving = mine.filter((p) => p.moves);
  const blockingBudgets = pdbs
    .filter((b) => (b.disruptionsAllowed ?? 0) === 0)
    .map((b) => ({
      namespace: b.namespace,
      name: b.name,
      allowedDisruptions: b.disruptionsAllowed ?? 0,
      pods: moving.filter((p) => p.namespace === b.namespace && selectorMatches(b.selector, p.labels)).map((p) => `${p.namespace}/${p.name}`),
    }))
    .filter((b) => b.pods.length > 0);
  return {
    batch,
    pods: mine
      .map(({ labels: _labels, ...p }) => p)
      .sort((a, b) => a.node.localeCompare(b.node) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)),
    blockingBudgets,
  };
}
