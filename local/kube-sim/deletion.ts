import { collectDependents, defaultPolicy, parsePolicy, type PropagationPolicy } from './gc.js';
import { isTerminal, nodeNameOf } from './pods.js';
import { resourceDef, type ResourceName } from './registry.js';
import { ApiError, badRequest, invalid } from './status.js';
import type { KubeObject, ObjectStore } from './store.js';

export interface DeleteOptions {
  /** how long a pod has to stop; 0 removes it at once. Other kinds have no grace period. */
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: PropagationPolicy;
}

export interface Deleted {
  /** the object as the DELETE leaves it: with a deletionTimestamp while it lingers, as it was when removed */
  object: KubeObject;
  removed: boolean;
}

/** A pod's default when neither the request nor its spec says (core/v1 DefaultTerminationGracePeriodSeconds). */
const DEFAULT_GRACE_SECONDS = 30;

/** DeleteOptions from the query (gracePeriodSeconds, propagationPolicy) and the body, as kubectl and client libraries send them. */
export function parseDeleteOptions(resource: ResourceName, query: URLSearchParams, body: unknown): DeleteOptions {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { gracePeriodSeconds?: unknown; preconditions?: DeleteOptions['preconditions'] };
  const raw = query.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  let gracePeriodSeconds: number | undefined;
  if (raw !== undefined && raw !== null && raw !== '') {
    gracePeriodSeconds = Number(raw);
    if (!Number.isInteger(gracePeriodSeconds)) throw badRequest(`gracePeriodSeconds: invalid value "${String(raw)}"`);
    // a negative period asks for the shortest graceful deletion, as kube-apiserver reads it
    if (gracePeriodSeconds < 0) gracePeriodSeconds = 1;
  }
  return { gracePeriodSeconds, preconditions: b.preconditions, propagationPolicy: parsePolicy(resource, query.get('propagationPolicy'), body) };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const finalizersOf = (o: KubeObject) => o.metadata.finalizers ?? [];
const namespaceFinalizers = (o: KubeObject) => (o.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];

function checkPreconditions(resource: ResourceName, o: KubeObject, pre: DeleteOptions['preconditions']): void {
  const qualified = resourceDef(resource).group ? `${resource}.${resourceDef(resource).group}` : resource;
  const refuse = (what: string, want: string, have: string | undefined) =>
    new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified} "${o.metadata.name}": Precondition failed: ${what} in precondition: ${want}, ${what} in object meta: ${have ?? ''}`,
      {
        name: o.metadata.name,
        kind: resource,
      },
    );
  if (pre?.uid && pre.uid !== o.metadata.uid) throw refuse('UID', pre.uid, o.metadata.uid);
  if (pre?.resourceVersion && pre.resourceVersion !== o.metadata.resourceVersion)
    throw refuse('ResourceVersion', pre.resourceVersion, o.metadata.resourceVersion);
}

/** The grace period a pod gets: none when no kubelet runs it (unscheduled) or it has already finished, as PodStrategy decides. */
function podGrace(pod: KubeObject, requested: number | undefined): number {
  if (!nodeNameOf(pod) || isTerminal(pod)) return 0;
  return requested ?? (pod.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
}

function remove(store: ObjectStore, resource: ResourceName, o: KubeObject, policy: PropagationPolicy): KubeObject {
  const gone = store.delete(resource, o.metadata.namespace, o.metadata.name);
  if (resource !== 'pods') collectDependents(store, gone, policy, (r, d) => deleteObject(store, r, d.metadata.namespace, d.metadata.name));
  return gone;
}

function mark(
  store: ObjectStore,
  resource: ResourceName,
  o: KubeObject,
  deletionTimestamp: string,
  grace: number,
  patch?: (o: KubeObject) => void,
): KubeObject {
  const next = structuredClone(o);
  next.metadata.deletionTimestamp = deletionTimestamp;
  next.metadata.deletionGracePeriodSeconds = grace;
  patch?.(next);
  return store.update(resource, next);
}

/** A namespace goes Terminating; the namespace controller empties it, then lifts its `kubernetes` finalizer. */
function deleteNamespace(store: ObjectStore, ns: KubeObject): Deleted {
  const marked = ns.metadata.deletionTimestamp
    ? ns
    : mark(store, 'namespaces', ns, iso(Date.now()), 0, (o) => {
        o.status = { ...((o.status as object | undefined) ?? {}), phase: 'Terminating' };
      });
  if (namespaceFinalizers(marked).length || finalizersOf(marked).length) return { object: marked, removed: false };
  return { object: remove(store, 'namespaces', marked, 'Background'), removed: true };
}

/**
 * DELETE as the generic registry carries it out: a pod on a node gets a
 * deletionTimestamp and its grace period (its kubelet removes it when the
 * period is over), an object with finalizers stays until they are removed,
 * anything else goes at once and its dependents are collected. A second
 * DELETE may only shorten a pending grace period.
 */
export function deleteObject(store: ObjectStore, resource: ResourceName, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Deleted {
  const cur = store.mustGet(resource, namespace, name);
  checkPreconditions(resource, cur, opts.preconditions);
  if (resource === 'namespaces') return deleteNamespace(store, cur);
  const policy = opts.propagationPolicy ?? defaultPolicy(resource);
  const lingers = finalizersOf(cur).length > 0;
  const meta = cur.metadata;

  if (meta.deletionTimestamp) {
    const pending = meta.deletionGracePeriodSeconds ?? 0;
    const requested = opts.gracePeriodSeconds;
    if (pending > 0 && requested !== undefined && requested < pending) {
      const sooner = iso(Date.parse(meta.deletionTimestamp) - pending * 1000 + requested * 1000);
      const shortened = mark(store, resource, cur, sooner, requested);
      if (requested === 0 && !lingers) return { object: remove(store, resource, shortened, policy), removed: true };
      return { object: shortened, removed: false };
    }
    if (pending > 0 || lingers) return { object: cur, removed: false };
    return { object: remove(store, resource, cur, policy), removed: true };
  }

  const grace = resource === 'pods' ? podGrace(cur, opts.gracePeriodSeconds) : 0;
  if (grace > 0 || lingers) return { object: mark(store, resource, cur, iso(Date.now() + grace * 1000), grace), removed: false };
  return { object: remove(store, resource, cur, policy), removed: true };
}

/**
 * After a write: an object being deleted whose last finalizer has just gone,
 * and whose grace period is over, is removed (the generic registry's
 * shouldDeleteDuringUpdate; for a namespace, its spec.finalizers count too).
 */
export function removeIfFinalized(store: ObjectStore, resource: ResourceName, o: KubeObject): boolean {
  const meta = o.metadata;
  if (!meta.deletionTimestamp || finalizersOf(o).length || (meta.deletionGracePeriodSeconds ?? 0) !== 0) return false;
  if (resource === 'namespaces' && namespaceFinalizers(o).length) return false;
  if (!store.get(resource, meta.namespace, meta.name)) return false;
  remove(store, resource, o, defaultPolicy(resource));
  return true;
}

/** A write to an object being deleted keeps its deletion marks and may not add finalizers. */
export function guardDeletingWrite(resource: ResourceName, current: KubeObject, next: KubeObject): void {
  const { deletionTimestamp, deletionGracePeriodSeconds } = current.metadata;
  if (!deletionTimestamp) {
    delete next.metadata.deletionTimestamp;
    delete next.metadata.deletionGracePeriodSeconds;
    return;
  }
  next.metadata.deletionTimestamp = deletionTimestamp;
  if (deletionGracePeriodSeconds === undefined) delete next.metadata.deletionGracePeriodSeconds;
  else next.metadata.deletionGracePeriodSeconds = deletionGracePeriodSeconds;
  const added = finalizersOf(next).filter((f) => !finalizersOf(current).includes(f));
  if (added.length) {
    throw invalid(
      resourceDef(resource).kind,
      current.metadata.name,
      `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
      'metadata.finalizers',
    );
  }
}
