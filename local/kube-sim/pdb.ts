import { isPodReady, isTerminal, controllerOf } from './pods.js';
import { selectorMatches, type LabelSelectorObject } from './selectors.js';
import type { KubeObject, ObjectStore } from './store.js';

export interface PdbSpec {
  selector?: LabelSelectorObject;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
}

export interface PdbStatus {
  observedGeneration?: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
  expectedPods: number;
  disruptedPods?: Record<string, string>;
  conditions: { type: string; status: string; reason: string; message: string; observedGeneration?: number; lastTransitionTime: string }[];
}

/** Pods a PDB covers: matching its selector, not terminal, not being deleted. */
function pdbPods(store: ObjectStore, pdb: KubeObject): KubeObject[] {
  const spec = (pdb.spec ?? {}) as PdbSpec;
  return store.list(
    'pods',
    pdb.metadata.namespace,
    (p) => selectorMatches(spec.selector, p.metadata.labels) && !isTerminal(p) && !p.metadata.deletionTimestamp,
  );
}

function scaled(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number.parseInt(value, 10) || 0;
  return Math.ceil((Number(m[1]) * total) / 100);
}

/**
 * The count of pods the budget expects: the scale of the pods' controllers
 * (a ReplicaSet's replicas, a DaemonSet's desired pods), as the disruption
 * controller does; a pod without a controller counts as one.
 */
function expectedCount(store: ObjectStore, pods: KubeObject[]): number {
  const seen = new Set<string>();
  let total = 0;
  for (const p of pods) {
    const c = controllerOf(p);
    if (!c) {
      total += 1;
      continue;
    }
    if (seen.has(c.uid)) continue;
    seen.add(c.uid);
    if (c.kind === 'ReplicaSet') {
      const rs = store.get('replicasets', p.metadata.namespace, c.name);
      total += (rs?.spec as { replicas?: number } | undefined)?.replicas ?? 1;
    } else if (c.kind === 'DaemonSet') {
      const ds = store.get('daemonsets', p.metadata.namespace, c.name);
      total +=
        (ds?.status as { desiredNumberScheduled?: number } | undefined)?.desiredNumberScheduled ?? pods.filter((q) => controllerOf(q)?.uid === c.uid).length;
    } else total += pods.filter((q) => controllerOf(q)?.uid === c.uid).length;
  }
  return total;
}

export function computePdbStatus(store: ObjectStore, pdb: KubeObject, transitionTime: string): PdbStatus {
  const spec = (pdb.spec ?? {}) as PdbSpec;
  const pods = pdbPods(store, pdb);
  const currentHealthy = pods.filter(isPodReady).length;
  let expectedPods: number;
  let desiredHealthy: number;
  if (spec.maxUnavailable !== undefined) {
    expectedPods = expectedCount(store, pods);
    desiredHealthy = Math.max(0, expectedPods - scaled(spec.maxUnavailable, expectedPods));
  } else if (typeof spec.minAvailable === 'string') {
    expectedPods = expectedCount(store, pods);
    desiredHealthy = scaled(spec.minAvailable, expectedPods);
  } else {
    expectedPods = pods.length;
    desiredHealthy = spec.minAvailable ?? 1;
  }
  const disruptionsAllowed = Math.max(0, currentHealthy - desiredHealthy);
  const ok = disruptionsAllowed > 0;
  return {
    observedGeneration: pdb.metadata.generation,
    currentHealthy,
    desiredHealthy,
    disruptionsAllowed,
    expectedPods,
    conditions: [
      {
        type: 'DisruptionAllowed',
        status: ok ? 'True' : 'False',
        reason: ok ? 'SufficientPods' : 'InsufficientPods',
        message: '',
        observedGeneration: pdb.metadata.generation,
        lastTransitionTime: transitionTime,
      },
    ],
  };
}
