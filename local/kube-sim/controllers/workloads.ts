import { deleteObject } from '../deletion.js';
import { apiVersionOf, resourceDef, type ResourceName } from '../registry.js';
import { fitsNode, isPodReady, isTerminal, nodeNameOf, ownedBy } from '../pods.js';
import type { SimRuntime } from '../runtime.js';
import type { KubeObject, OwnerReference } from '../store.js';

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

function ownerRef(resource: ResourceName, owner: KubeObject): OwnerReference {
  const def = resourceDef(resource);
  return { apiVersion: apiVersionOf(def), kind: def.kind, name: owner.metadata.name, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export function podFromTemplate(
  resource: ResourceName,
  owner: KubeObject,
  extra: { labels?: Record<string, string>; nodeName?: string; tolerations?: unknown[] } = {},
): KubeObject {
  const template = ((owner.spec as { template?: PodTemplate } | undefined)?.template ?? {}) as PodTemplate;
  const spec = structuredClone(template.spec ?? {});
  if (extra.nodeName) spec.nodeName = extra.nodeName;
  if (extra.tolerations) spec.tolerations = [...((spec.tolerations as unknown[] | undefined) ?? []), ...extra.tolerations];
  return {
    metadata: {
      name: '',
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), ...(extra.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}) },
      ownerReferences: [ownerRef(resource, owner)],
    },
    spec,
    status: { phase: 'Pending' },
  };
}

const live = (p: KubeObject) => !p.metadata.deletionTimestamp && !isTerminal(p);

/**
 * Keeps each ReplicaSet at its replica count: a deleted or evicted pod is
 * replaced by a new one that the scheduler places. A terminating pod does
 * not count, so its replacement starts while it stops.
 */
export function startReplicaSetController(rt: SimRuntime): void {
  const { store } = rt;
  const reconcile = (ns: string, name: string) => {
    const rs = store.get('replicasets', ns, name);
    if (!rs) return;
    const want = (rs.spec as { replicas?: number }).replicas ?? 1;
    const pods = store.list('pods', ns, (p) => ownedBy(p, rs) && live(p));
    for (let i = pods.length; i < want; i++) store.create('pods', podFromTemplate('replicasets', rs));
    for (const extra of pods.slice(want)) deleteObject(store, 'pods', ns, extra.metadata.name);
    const now = store.list('pods', ns, (p) => ownedBy(p, rs) && live(p));
    const ready = now.filter(isPodReady).length;
    store.mutate('replicasets', ns, name, (o) => {
      o.status = {
        replicas: now.length,
        fullyLabeledReplicas: now.length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: o.metadata.generation,
      };
    });
  };
  store.onChange((e) => {
    if (e.resource === 'replicasets' && e.type !== 'DELETED')
      rt.enqueue(`rs:${e.object.metadata.namespace}/${e.object.metadata.name}`, () => reconcile(e.object.metadata.namespace!, e.object.metadata.name));
    if (e.resource === 'pods') {
      for (const r of e.object.metadata.ownerReferences ?? []) {
        if (r.kind === 'ReplicaSet') rt.enqueue(`rs:${e.object.metadata.namespace}/${r.name}`, () => reconcile(e.object.metadata.namespace!, r.name));
      }
    }
  });
}

/** DaemonSet pods tolerate cordons and node problems, as the real controller adds. */
const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/**
 * One pod per node whose taints the DaemonSet's pods tolerate. A node whose
 * daemon pod is terminating gets its new one once the old one is gone, as
 * the real controller waits for it.
 */
export function startDaemonSetController(rt: SimRuntime): void {
  const { store } = rt;
  const reconcile = (ns: string, name: string) => {
    const ds = store.get('daemonsets', ns, name);
    if (!ds) return;
    const pods = store.list('pods', ns, (p) => ownedBy(p, ds) && !isTerminal(p));
    const probe = podFromTemplate('daemonsets', ds, { tolerations: DAEMON_TOLERATIONS });
    const nodes = store.list('nodes', undefined, (n) => fitsNode(probe, n));
    for (const node of nodes) {
      if (!pods.some((p) => nodeNameOf(p) === node.metadata.name)) {
        store.create('pods', podFromTemplate('daemonsets', ds, { nodeName: node.metadata.name, tolerations: DAEMON_TOLERATIONS }));
      }
    }
    const now = store.list('pods', ns, (p) => ownedBy(p, ds) && live(p));
    const ready = now.filter(isPodReady).length;
    store.mutate('daemonsets', ns, name, (o) => {
      o.status = {
        desiredNumberScheduled: nodes.length,
        currentNumberScheduled: now.length,
        updatedNumberScheduled: now.length,
        numberReady: ready,
        numberAvailable: ready,
        numberMisscheduled: 0,
        observedGeneration: o.metadata.generation,
      };
    });
  };
  const all = () => {
    for (const ds of store.list('daemonsets')) reconcile(ds.metadata.namespace!, ds.metadata.name);
  };
  store.onChange((e) => {
    if (e.resource === 'nodes' && e.type === 'ADDED') rt.enqueue('ds:*', all);
    if (e.resource === 'daemonsets' && e.type !== 'DELETED')
      rt.enqueue(`ds:${e.object.metadata.namespace}/${e.object.metadata.name}`, () => reconcile(e.object.metadata.namespace!, e.object.metadata.name));
    if (e.resource === 'pods') {
      for (const r of e.object.metadata.ownerReferences ?? []) {
        if (r.kind === 'DaemonSet') rt.enqueue(`ds:${e.object.metadata.namespace}/${r.name}`, () => reconcile(e.object.metadata.namespace!, r.name));
      }
    }
  });
}
