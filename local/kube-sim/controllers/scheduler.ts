import { fitsNode, isNodeSchedulable, nodeNameOf, controllerOf } from '../pods.js';
import type { SimRuntime } from '../runtime.js';
import type { KubeObject } from '../store.js';

/**
 * Binds pods that name no node to a schedulable, Ready node whose taints they
 * tolerate, spreading the pods of one owner (then all pods) across nodes.
 * Pods that fit nowhere stay Pending until a node changes.
 */
export function startScheduler(rt: SimRuntime): void {
  const { store } = rt;
  const bindPending = () => {
    const pending = store.list('pods', undefined, (p) => !nodeNameOf(p) && !p.metadata.deletionTimestamp);
    if (pending.length === 0) return;
    const nodes = store.list('nodes', undefined, isNodeSchedulable);
    for (const pod of pending) {
      const node = pickNode(rt, pod, nodes);
      if (!node) continue;
      store.mutate('pods', pod.metadata.namespace, pod.metadata.name, (p) => {
        (p.spec as { nodeName?: string }).nodeName = node.metadata.name;
        const status = (p.status ?? {}) as { conditions?: unknown[] };
        status.conditions = [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString() }];
        p.status = status;
      });
    }
  };
  store.onChange((e) => {
    if (e.resource === 'nodes' && e.type !== 'DELETED') rt.enqueue('scheduler', bindPending);
    if (e.resource === 'pods' && e.type === 'ADDED' && !nodeNameOf(e.object)) rt.enqueue('scheduler', bindPending);
  });
}

function pickNode(rt: SimRuntime, pod: KubeObject, nodes: KubeObject[]): KubeObject | undefined {
  const owner = controllerOf(pod)?.uid;
  const pods = rt.store.list('pods', undefined, (p) => !!nodeNameOf(p));
  const load = (node: KubeObject) => {
    const on = pods.filter((p) => nodeNameOf(p) === node.metadata.name);
    return [owner ? on.filter((p) => controllerOf(p)?.uid === owner).length : 0, on.length];
  };
  const candidates = nodes.filter((n) => fitsNode(pod, n)).map((n) => ({ n, l: load(n) }));
  candidates.sort((a, b) => a.l[0]! - b.l[0]! || a.l[1]! - b.l[1]! || a.n.metadata.name.localeCompare(b.n.metadata.name));
  return candidates[0]?.n;
}
