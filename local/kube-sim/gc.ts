import type { ResourceName } from './registry.js';
import type { KubeObject, ObjectStore } from './store.js';
import { badRequest } from './status.js';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

/** batch/v1 Jobs orphan their pods unless told otherwise, as on a real server; other owners cascade. */
function defaultPolicy(resource: ResourceName): PropagationPolicy {
  return resource === 'jobs' ? 'Orphan' : 'Background';
}

export function parsePolicy(resource: ResourceName, fromQuery?: string | null, fromBody?: unknown): PropagationPolicy {
  const raw = fromQuery || (fromBody as { propagationPolicy?: string } | undefined)?.propagationPolicy;
  if (!raw) {
    const orphan = (fromBody as { orphanDependents?: boolean } | undefined)?.orphanDependents;
    if (orphan === true) return 'Orphan';
    return defaultPolicy(resource);
  }
  if (raw === 'Orphan' || raw === 'Background' || raw === 'Foreground') return raw;
  throw badRequest(`propagationPolicy: Unsupported value: "${raw}"`);
}

/**
 * Deletes an object and, unless orphaning, the pods it owns. Pods are the only
 * dependents simulated here; Foreground and Background differ only in timing
 * on a real server, and both end with the dependents gone.
 */
export function deleteWithDependents(store: ObjectStore, resource: ResourceName, namespace: string | undefined, name: string, policy: PropagationPolicy): KubeObject {
  const gone = store.delete(resource, namespace, name);
  if (policy !== 'Orphan' && resource !== 'pods') {
    for (const pod of store.list('pods', gone.metadata.namespace, (p) => (p.metadata.ownerReferences ?? []).some((r) => r.uid === gone.metadata.uid))) {
      if (store.get('pods', pod.metadata.namespace, pod.metadata.name)) store.delete('pods', pod.metadata.namespace, pod.metadata.name);
    }
  }
  if (resource === 'namespaces') {
    for (const r of ['pods', 'replicasets', 'daemonsets', 'jobs', 'poddisruptionbudgets'] as const) {
      for (const o of store.list(r, name)) store.delete(r, name, o.metadata.name);
    }
  }
  return gone;
}
