import type { ResourceName } from './registry.js';
import type { KubeObject, ObjectStore } from './store.js';
import { badRequest } from './status.js';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

/** batch/v1 Jobs orphan their pods unless told otherwise, as on a real server; other owners cascade. */
export function defaultPolicy(resource: ResourceName): PropagationPolicy {
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

/** The kinds that have owners here: pods (of workloads, and mirror pods of Nodes) and node Leases. */
const DEPENDENT_KINDS = ['pods', 'leases'] as const;

/**
 * What the garbage collector does once an owner is gone: orphaned dependents
 * lose their reference to it; otherwise they are deleted as a client would
 * delete them (pods gracefully). Foreground and Background differ only in
 * timing on a real server, and both end with the dependents gone.
 */
export function collectDependents(
  store: ObjectStore,
  owner: KubeObject,
  policy: PropagationPolicy,
  deleteDependent: (resource: ResourceName, o: KubeObject) => void,
): void {
  const uid = owner.metadata.uid;
  for (const resource of DEPENDENT_KINDS) {
    for (const o of store.list(resource, owner.metadata.namespace, (d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid))) {
      if (policy === 'Orphan') {
        store.mutate(resource, o.metadata.namespace, o.metadata.name, (d) => {
          d.metadata.ownerReferences = (d.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
          if (d.metadata.ownerReferences.length === 0) delete d.metadata.ownerReferences;
        });
      } else if (store.get(resource, o.metadata.namespace, o.metadata.name)) deleteDependent(resource, o);
    }
  }
}
