import { deleteObject } from '../deletion.js';
import { kubeletRuns, nodeNameOf } from '../pods.js';
import type { SimRuntime } from '../runtime.js';
import type { KubeObject } from '../store.js';

/**
 * The kubelet's side of a graceful deletion (and the pod garbage collector's
 * for nodes that are gone): once a pod's grace period is
 * over (scaled by gracePeriodMsPerSecond) its kubelet has stopped it and
 * deletes it for good (grace 0, guarded by its uid), which removes it unless
 * finalizers hold it. A node without a running kubelet (NotReady) leaves its
 * pods Terminating until it is back, as a real one does.
 */
export function startPodTermination(rt: SimRuntime): void {
  const { store } = rt;
  const waiting = new Set<string>();

  const finish = (namespace: string, name: string, uid: string) => {
    const cur = store.get('pods', namespace, name);
    if (!cur || cur.metadata.uid !== uid || !cur.metadata.deletionTimestamp) return;
    const node = nodeNameOf(cur);
    if (!node || !kubeletRuns(store, node)) return;
    deleteObject(store, 'pods', namespace, name, { gracePeriodSeconds: 0, preconditions: { uid } });
  };

  const consider = (pod: KubeObject) => {
    const { deletionTimestamp, deletionGracePeriodSeconds: grace = 0, uid, namespace, name } = pod.metadata;
    const node = nodeNameOf(pod);
    // grace 0: the kubelet is done with it, only finalizers keep it
    if (!deletionTimestamp || grace === 0 || !node || !kubeletRuns(store, node)) return;
    const key = `${uid}:${grace}`;
    if (waiting.has(key)) return;
    waiting.add(key);
    rt.later(Math.round(grace * rt.timings.gracePeriodMsPerSecond), () => {
      waiting.delete(key);
      finish(namespace!, name, uid!);
    });
  };

  store.onChange((e) => {
    if (e.resource === 'pods' && e.type !== 'DELETED') consider(e.object);
    // the pod garbage collector force-deletes the pods of a node that is gone: no kubelet will ever finish them
    if (e.resource === 'nodes' && e.type === 'DELETED') {
      const node = e.object.metadata.name;
      rt.enqueue(`podgc:${node}`, () => {
        for (const pod of store.list('pods', undefined, (p) => nodeNameOf(p) === node)) {
          if (!store.get('nodes', undefined, node)) deleteObject(store, 'pods', pod.metadata.namespace, pod.metadata.name, { gracePeriodSeconds: 0 });
        }
      });
    }
    // a kubelet back (Ready again) carries on with the terminations it missed
    if (e.resource === 'nodes' && e.type === 'MODIFIED' && kubeletRuns(store, e.object.metadata.name)) {
      for (const pod of store.list('pods', undefined, (p) => nodeNameOf(p) === e.object.metadata.name && !!p.metadata.deletionTimestamp)) consider(pod);
    }
  });
}
