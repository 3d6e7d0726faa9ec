import { apiVersionOf, resourceDef, type ResourceName } from './registry.js';
import type { SimRuntime } from './runtime.js';
import type { KubeObject, ObjectStore } from './store.js';

/** A core/v1 ObjectReference to what an event is about. */
export interface EventTarget {
  kind: string;
  name: string;
  namespace?: string;
  uid: string;
  apiVersion?: string;
}

export interface SimEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** who reports it: kubelet (with its node as host), job-controller, node-controller */
  component: string;
  host?: string;
}

/** An event's name as client-go's recorder makes it: the object's name and the time in hex nanoseconds. */
let sequence = 0;
/** `<object>.<time in hex>`, as client-go names them, the object's part cut so the whole stays a valid name (at most 253 characters). */
const eventName = (target: EventTarget) => {
  const suffix = (BigInt(Date.now()) * 1_000_000n + BigInt(sequence++ % 1_000_000)).toString(16);
  return `${target.name.slice(0, 252 - suffix.length).replace(/[.-]+$/, '')}.${suffix}`;
};
const seconds = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The reference to a stored object, as the recorder builds it. */
export function targetOf(resource: ResourceName, o: KubeObject): EventTarget {
  const def = resourceDef(resource);
  return { kind: def.kind, name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid!, apiVersion: apiVersionOf(def) };
}

/** The kubelet refers to its node by name, uid included (which is why `kubectl describe node` asks for both uids). */
export const nodeTarget = (name: string): EventTarget => ({ kind: 'Node', name, uid: name });

/**
 * Records an event as the simulated controllers' recorders do, legacy core/v1
 * style: a repeat of the same event about the same object bumps its count
 * and lastTimestamp instead of adding another. Events about cluster-scoped
 * objects go to the default namespace.
 */
export function recordEvent(store: ObjectStore, target: EventTarget, e: SimEvent): void {
  const namespace = target.namespace || 'default';
  const ns = store.get('namespaces', undefined, namespace);
  if (!ns || ns.metadata.deletionTimestamp) return;
  const source = { component: e.component, ...(e.host ? { host: e.host } : {}) };
  const same = store.list(
    'events',
    namespace,
    (o) =>
      (o.involvedObject as EventTarget | undefined)?.uid === target.uid &&
      o.reason === e.reason &&
      o.message === e.message &&
      (o.source as { component?: string } | undefined)?.component === e.component,
  )[0];
  const t = seconds();
  if (same) {
    store.mutate('events', namespace, same.metadata.name, (o) => {
      o.count = ((o.count as number | undefined) ?? 1) + 1;
      o.lastTimestamp = t;
    });
    return;
  }
  store.create('events', {
    metadata: { name: eventName(target), namespace },
    involvedObject: { ...target, namespace: target.namespace ?? '' },
    reason: e.reason,
    message: e.message,
    source,
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
    type: e.type,
    eventTime: null,
    reportingComponent: e.component,
    reportingInstance: e.host ?? '',
  });
}

/** How long an event is kept, as kube-apiserver's --event-ttl (1 h). */
const EVENT_TTL_MS = 60 * 60 * 1000;
const SWEEP_MS = 60 * 1000;

/** Removes events older than the TTL, every minute, whoever wrote them. */
export function startEventTtl(rt: SimRuntime): void {
  const sweep = () => {
    const cutoff = Date.now() - EVENT_TTL_MS;
    const last = (o: KubeObject) => Date.parse(String(o.lastTimestamp || o.eventTime || o.metadata.creationTimestamp || ''));
    for (const o of rt.store.list('events', undefined, (o) => last(o) < cutoff)) rt.store.delete('events', o.metadata.namespace, o.metadata.name);
    rt.later(SWEEP_MS, sweep);
  };
  rt.later(SWEEP_MS, sweep);
}
