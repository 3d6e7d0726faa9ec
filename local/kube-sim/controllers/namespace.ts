import { deleteObject, removeIfFinalized } from '../deletion.js';
import { STORED, resourceDef, type ResourceName } from '../registry.js';
import type { SimRuntime } from '../runtime.js';

/** Workload controllers go first, so they do not replace the pods being deleted under them. */
const CONTENT: ResourceName[] = [...STORED.filter((r) => resourceDef(r).namespaced)].sort(
  (a, b) => Number(['replicasets', 'daemonsets', 'jobs'].includes(b)) - Number(['replicasets', 'daemonsets', 'jobs'].includes(a)),
);

/**
 * kube-controller-manager's namespace controller takes a moment to notice a
 * Terminating namespace and list what is in it; `kubectl delete -f` of a
 * manifest holding a namespace and its objects deletes those objects in that
 * moment, and finds them still there, as against a real cluster.
 */
const NOTICE_MS = 500;

/**
 * Empties a Terminating namespace (every object deleted as a client would:
 * pods gracefully, finalizers honoured), and once nothing is left lifts its
 * `kubernetes` finalizer, which removes it.
 */
export function startNamespaceController(rt: SimRuntime): void {
  const { store } = rt;
  const reconcile = (name: string) => {
    const ns = store.get('namespaces', undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const resource of CONTENT) {
      for (const o of store.list(resource, name)) {
        if (!o.metadata.deletionTimestamp && store.get(resource, name, o.metadata.name)) deleteObject(store, resource, name, o.metadata.name);
        if (store.get(resource, name, o.metadata.name)) remaining++;
      }
    }
    const finalizers = (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (remaining > 0 || !finalizers.includes('kubernetes')) return;
    const finalized = store.mutate('namespaces', undefined, name, (o) => {
      (o.spec as { finalizers: string[] }).finalizers = finalizers.filter((f) => f !== 'kubernetes');
    });
    if (finalized) removeIfFinalized(store, 'namespaces', finalized);
  };
  const enqueue = (name: string) => rt.enqueue(`namespace:${name}`, () => reconcile(name));
  /** uids of the Terminating namespaces the controller has noticed: from then on, content going away moves it on */
  const noticed = new Set<string>();
  store.onChange((e) => {
    const o = e.object;
    if (e.resource === 'namespaces') {
      if (e.type === 'DELETED') noticed.delete(o.metadata.uid!);
      else if (o.metadata.deletionTimestamp && !noticed.has(o.metadata.uid!)) {
        rt.later(rt.booting ? 0 : NOTICE_MS, () => {
          noticed.add(o.metadata.uid!);
          enqueue(o.metadata.name);
        });
      }
    } else if (e.type === 'DELETED' && o.metadata.namespace) {
      const ns = store.get('namespaces', undefined, o.metadata.namespace);
      if (ns && noticed.has(ns.metadata.uid!)) enqueue(o.metadata.namespace);
    }
  });
}
