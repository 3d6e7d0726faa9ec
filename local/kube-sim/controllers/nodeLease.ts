import { isNodeReady } from '../pods.js';
import type { SimRuntime } from '../runtime.js';
import type { KubeObject } from '../store.js';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_DURATION_SECONDS = 40;

/** metav1.MicroTime: RFC 3339 with microseconds. */
const microTime = () => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

function leaseFor(node: KubeObject): KubeObject {
  return {
    metadata: {
      name: node.metadata.name,
      namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name, uid: node.metadata.uid! }],
    },
    spec: { holderIdentity: node.metadata.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime() },
  };
}

/**
 * Each kubelet's heartbeat: a Lease named after its node in kube-node-lease,
 * created when the node registers and renewed every leaseRenewMs while the
 * node is Ready; a NotReady node's lease stops being renewed, so its
 * renewTime falls behind. The Lease is owned by its Node and goes with it.
 */
export function startNodeLeases(rt: SimRuntime): void {
  const { store } = rt;
  const ensure = (node: KubeObject) => {
    if (!store.get('namespaces', undefined, NODE_LEASE_NAMESPACE)) return;
    if (!store.get('leases', NODE_LEASE_NAMESPACE, node.metadata.name)) store.create('leases', leaseFor(node));
  };
  const renew = () => {
    for (const node of store.list('nodes')) {
      if (!isNodeReady(node)) continue;
      if (!store.get('leases', NODE_LEASE_NAMESPACE, node.metadata.name)) ensure(node);
      else
        store.mutate('leases', NODE_LEASE_NAMESPACE, node.metadata.name, (l) => {
          (l.spec as { renewTime?: string }).renewTime = microTime();
        });
    }
    rt.later(rt.timings.leaseRenewMs, renew);
  };
  store.onChange((e) => {
    if (e.resource === 'nodes' && e.type === 'ADDED') rt.enqueue(`lease:${e.object.metadata.name}`, () => ensure(e.object));
  });
  rt.later(rt.timings.leaseRenewMs, renew);
}
