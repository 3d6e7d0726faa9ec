import { computePdbStatus, type PdbStatus } from '../pdb.js';
import { now } from '../pods.js';
import type { SimRuntime } from '../runtime.js';

const comparable = (s: PdbStatus | undefined) => s && JSON.stringify({ ...s, conditions: s.conditions.map((c) => ({ ...c, lastTransitionTime: '' })) });

/** Keeps every PodDisruptionBudget's status current as pods come and go (the eviction handler recounts on its own). */
export function startDisruptionController(rt: SimRuntime): void {
  const { store } = rt;
  const reconcile = (ns: string) => {
    for (const pdb of store.list('poddisruptionbudgets', ns)) {
      const old = pdb.status as PdbStatus | undefined;
      const oldAllowed = old?.conditions?.[0]?.status;
      const next = computePdbStatus(store, pdb, now());
      if (oldAllowed && next.conditions[0] && oldAllowed === next.conditions[0].status) {
        next.conditions[0].lastTransitionTime = old!.conditions[0]!.lastTransitionTime;
      }
      if (comparable(old) === comparable(next)) continue;
      store.mutate('poddisruptionbudgets', ns, pdb.metadata.name, (o) => {
        o.status = next;
      });
    }
  };
  store.onChange((e) => {
    const ns = e.object.metadata.namespace;
    if (!ns) return;
    if (
      e.resource === 'pods' ||
      e.resource === 'replicasets' ||
      e.resource === 'daemonsets' ||
      (e.resource === 'poddisruptionbudgets' && e.type !== 'DELETED')
    ) {
      rt.enqueue(`pdb:${ns}`, () => reconcile(ns));
    }
  });
}
