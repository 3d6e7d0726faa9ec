import type { SnapshotPdb, SnapshotPod } from '../clusterSnapshot.js';
import { selectorMatches } from '../labelSelector.js';
import { fail, isFinished, named, pass, podKey, warn, type CheckRule } from './result.js';

const NAME = 'pdb-blockers';

const isZero = (v: number | string | undefined) => v === 0 || v === '0' || v === '0%';
const pdbKey = (p: SnapshotPdb) => `${p.namespace}/${p.name}`;

/** Why this PDB stops every eviction, or undefined. */
function structuralBlock(p: SnapshotPdb): string | undefined {
  if (isZero(p.maxUnavailable)) return `${pdbKey(p)} (maxUnavailable ${p.maxUnavailable})`;
  const expected = p.expectedPods ?? 0;
  if (p.disruptionsAllowed === 0 && expected > 0 && (p.desiredHealthy ?? 0) >= expected) {
    return `${pdbKey(p)} (minAvailable ${p.minAvailable ?? p.desiredHealthy} of ${expected} pods)`;
  }
  return undefined;
}

/** Pods that more than one PDB selects: the Eviction API refuses to evict them at all. */
function multiplyCovered(pdbs: SnapshotPdb[], pods: SnapshotPod[]): string[] {
  return pods
    .filter((p) => !isFinished(p))
    .flatMap((pod) => {
      const covering = pdbs.filter((b) => b.namespace === pod.namespace && selectorMatches(b.selector, pod.labels)).map((b) => b.name);
      return covering.length > 1 ? [`${podKey(pod)} (${covering.join(', ')})`] : [];
    });
}

/**
 * PodDisruptionBudgets that will stop a drain: a zero budget or one that
 * needs every pod, and pods under several budgets, fail; a budget that is at
 * zero only because some of its pods are not healthy right now warns (the
 * drain waits for them, up to its timeout).
 */
export const pdbBlockers: CheckRule = ({ snapshot: s }) => {
  if (!s.pdbs.ok)
    return warn(
      NAME,
      `not checked: the PodDisruptionBudgets could not be read (${s.pdbs.reason})`,
      "give kupgrade's credentials list access to poddisruptionbudgets",
    );
  const pdbs = s.pdbs.value;
  const blocking = pdbs.map(structuralBlock).filter((b): b is string => !!b);
  const multi = s.pods.ok ? multiplyCovered(pdbs, s.pods.value) : [];
  if (blocking.length || multi.length) {
    const parts = [
      blocking.length ? `PDBs that allow no disruption: ${named(blocking)}` : '',
      multi.length ? `pods covered by several PDBs: ${named(multi)}` : '',
    ];
    return fail(
      NAME,
      parts.filter(Boolean).join('; '),
      'allow at least one disruption in each PDB (maxUnavailable ≥ 1, or minAvailable below the pod count) and give each pod a single PDB, then run the check again',
    );
  }
  const busy = pdbs
    .filter((p) => p.disruptionsAllowed === 0 && (p.expectedPods ?? 0) > 0)
    .map((p) => `${pdbKey(p)} (${p.currentHealthy ?? 0} of ${p.expectedPods} pods healthy)`);
  if (busy.length)
    return warn(
      NAME,
      `PDBs allowing no disruption right now because pods are unhealthy: ${named(busy)}`,
      'let these pods become Ready before upgrading; a drain waits for them until its timeout',
    );
  if (!s.pods.ok)
    return warn(
      NAME,
      `the PDBs allow disruptions, but pods covered by several PDBs were not checked: the pods could not be read (${s.pods.reason})`,
      "give kupgrade's credentials list access to pods",
    );
  return pass(NAME, `${pdbs.length} PodDisruptionBudget(s), none blocks a drain`);
};
