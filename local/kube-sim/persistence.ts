import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { controllerOf, nodeNameOf, ownedBy, phaseOf } from './pods.js';
import { STORED, type ResourceName } from './registry.js';
import type { SimRuntime } from './runtime.js';
import type { KubeObject, ObjectStore } from './store.js';

/**
 * A simulated cluster that outlives its process, as a real one outlives
 * kupgrade's: the local stack keeps the demo cluster's objects in its data
 * directory, so an upgrade interrupted by Ctrl-C or a kill carries on.
 */
export interface SimSnapshot {
  format: 1;
  resourceVersion: number;
  gitVersion: string;
  objects: Partial<Record<ResourceName, KubeObject[]>>;
}

// The store keeps its maps private: a snapshot is the only outside reader and writer of them.
interface StoreInternals {
  data: Map<ResourceName, Map<string, KubeObject>>;
  rv: number;
}
const internals = (store: ObjectStore) => store as unknown as StoreInternals;
const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function takeSnapshot(rt: SimRuntime): SimSnapshot {
  const objects: SimSnapshot['objects'] = {};
  for (const r of STORED) objects[r] = rt.store.list(r);
  return { format: 1, resourceVersion: Number(rt.store.resourceVersion), gitVersion: rt.gitVersion, objects };
}

export function loadSnapshot(path: string): SimSnapshot | undefined {
  if (!existsSync(path)) return undefined;
  const snap = JSON.parse(readFileSync(path, 'utf8')) as SimSnapshot;
  if (snap.format !== 1) throw new Error(`kube-sim: ${path} has an unknown snapshot format`);
  return snap;
}

/** Written whole to a temporary file, then renamed: a kill mid-write leaves the previous snapshot. */
function writeSnapshot(path: string, snap: SimSnapshot): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(snap));
  renameSync(tmp, path);
}

/**
 * Puts the objects back as they were (uids, resourceVersions, owner
 * references and deletion marks intact), then nudges the controllers, whose
 * timers died with the old process: pods waiting for a kubelet, and upgrade
 * Jobs' pods that were running, start again (a kubelet restart re-runs its
 * containers), unfinished Jobs with no pod get one, and pods and namespaces
 * that were being deleted carry on terminating.
 */
export function restoreSnapshot(rt: SimRuntime, snap: SimSnapshot): void {
  const { data } = internals(rt.store);
  for (const [resource, list] of Object.entries(snap.objects) as [ResourceName, KubeObject[]][]) {
    const bucket = data.get(resource);
    for (const o of list ?? []) bucket?.set(keyOf(o), o);
  }
  internals(rt.store).rv = snap.resourceVersion;
  rt.gitVersion = snap.gitVersion;

  const { store } = rt;
  for (const pod of store.list('pods')) {
    const restart = phaseOf(pod) === 'Pending' || (phaseOf(pod) === 'Running' && controllerOf(pod)?.kind === 'Job');
    if (restart && nodeNameOf(pod)) store.update('pods', { ...pod, status: { phase: 'Pending' } });
  }
  const jobs = store.list('jobs');
  for (const job of jobs) {
    const done = ((job.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    if (done || store.list('pods', job.metadata.namespace, (p) => ownedBy(p, job)).length) continue;
    store.update('jobs', { ...job, status: {} });
  }
  for (const resource of ['replicasets', 'daemonsets'] as const) for (const o of store.list(resource)) store.update(resource, o);
  for (const resource of ['pods', 'namespaces'] as const)
    for (const o of store.list(resource, undefined, (x) => !!x.metadata.deletionTimestamp)) store.update(resource, o);
  const firstNode = store.list('nodes')[0];
  if (firstNode && store.list('pods', undefined, (p) => !nodeNameOf(p) && phaseOf(p) === 'Pending').length) store.update('nodes', firstNode);
}

/** Writes a snapshot shortly after each burst of changes, and once more on flush (a clean stop). */
export function persistChanges(rt: SimRuntime, path: string, debounceMs = 20): { flush(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writeSnapshot(path, takeSnapshot(rt));
  };
  const unsubscribe = rt.store.onChange(() => {
    timer ??= setTimeout(flush, debounceMs);
  });
  flush();
  return {
    flush,
    stop() {
      unsubscribe();
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
