import { nodeTarget, recordEvent } from '../events.js';
import { isNodeReady } from '../pods.js';
import type { SimRuntime } from '../runtime.js';
import type { KubeObject } from '../store.js';

const unschedulable = (n: KubeObject) => !!(n.spec as { unschedulable?: boolean } | undefined)?.unschedulable;
const kubeletVersion = (n: KubeObject) => (n.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion;

/**
 * The few node events a real cluster shows in `kubectl describe node`: the
 * kubelet's Starting (at registration and after an upgrade restarts it),
 * NodeReady, NodeSchedulable and NodeNotSchedulable, and the node
 * controller's NodeNotReady.
 */
export function startNodeEvents(rt: SimRuntime): void {
  const { store } = rt;
  const kubelet = (node: string, reason: string, message: string) =>
    recordEvent(store, nodeTarget(node), { type: 'Normal', reason, message, component: 'kubelet', host: node });
  const status = (node: string, what: string) => `Node ${node} status is now: ${what}`;
  store.onChange((e) => {
    if (e.resource !== 'nodes' || e.type === 'DELETED') return;
    const n = e.object;
    const name = n.metadata.name;
    if (e.type === 'ADDED') {
      kubelet(name, 'Starting', 'Starting kubelet.');
      if (isNodeReady(n)) kubelet(name, 'NodeReady', status(name, 'NodeReady'));
      return;
    }
    const old = e.old!;
    if (kubeletVersion(old) !== kubeletVersion(n)) kubelet(name, 'Starting', 'Starting kubelet.');
    if (unschedulable(old) !== unschedulable(n))
      kubelet(name, unschedulable(n) ? 'NodeNotSchedulable' : 'NodeSchedulable', status(name, unschedulable(n) ? 'NodeNotSchedulable' : 'NodeSchedulable'));
    if (isNodeReady(old) !== isNodeReady(n)) {
      if (isNodeReady(n)) kubelet(name, 'NodeReady', status(name, 'NodeReady'));
      else
        recordEvent(store, nodeTarget(name), { type: 'Normal', reason: 'NodeNotReady', message: status(name, 'NodeNotReady'), component: 'node-controller' });
    }
  });
}
