import { randomUUID, randomBytes } from 'node:crypto';
import { STORED, apiVersionOf, resourceDef, type ResourceName } from './registry.js';
import { alreadyExists, conflict, invalid, namespaceTerminating, notFound } from './status.js';

interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  finalizers?: string[];
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [k: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [k: string]: unknown;
}

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceName;
  object: KubeObject;
  /** the object before a MODIFIED or DELETED */
  old?: KubeObject;
}
export type StoreListener = (e: StoreEvent) => void;

const clone = <T>(o: T): T => structuredClone(o);
const DNS1123 = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * A generic in-memory object store with the API server's bookkeeping: uid,
 * one cluster-wide resourceVersion counter, creationTimestamp, optimistic
 * concurrency and change events (for the controllers, and later for watch).
 * Everything it hands out is a copy, so callers cannot mutate stored state.
 */
export class ObjectStore {
  private readonly data = new Map<ResourceName, Map<string, KubeObject>>();
  private readonly listeners = new Set<StoreListener>();
  private rv = 1;

  constructor() {
    for (const r of STORED) this.data.set(r, new Map());
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  onChange(l: StoreListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private bucket(resource: ResourceName): Map<string, KubeObject> {
    return this.data.get(resource)!;
  }

  private key(namespace: string | undefined, name: string): string {
    return `${namespace ?? ''}/${name}`;
  }

  private emit(e: StoreEvent): void {
    // one copy for every listener (a copy each made a big cluster's every write cost a dozen deep clones): listeners only read it
    const object = clone(e.object);
    const old = e.old && clone(e.old);
    for (const l of [...this.listeners]) l({ ...e, object, old });
  }

  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.bucket(resource).get(this.key(resourceDef(resource).namespaced ? namespace : undefined, name));
    return o && clone(o);
  }

  mustGet(resource: ResourceName, namespace: string | undefined, name: string): KubeObject {
    const o = this.get(resource, namespace, name);
    if (!o) throw notFound(resource, resourceDef(resource).group, name);
    return o;
  }

  list(resource: ResourceName, namespace?: string, predicate: (o: KubeObject) => boolean = () => true): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.bucket(resource).values()) {
      if (namespace !== undefined && o.metadata.namespace !== namespace) continue;
      if (predicate(o)) out.push(clone(o));
    }
    // byte order, as etcd lists (and far cheaper than localeCompare on a big cluster)
    const keyOf = (o: KubeObject) => this.key(o.metadata.namespace, o.metadata.name);
    return out.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  }

  /** `prepare` sees the object with its uid and name, just before it is stored (server-generated fields that name the uid). */
  create(resource: ResourceName, input: KubeObject, namespace?: string, prepare?: (o: KubeObject) => void): KubeObject {
    const def = resourceDef(resource);
    const obj = clone(input);
    obj.metadata = { ...(obj.metadata ?? {}) } as ObjectMeta;
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = `${obj.metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    }
    const name = obj.metadata.name;
    if (!name) throw invalid(def.kind, '', 'name or generateName is required', 'metadata.name');
    if (name.length > 253 || !DNS1123.test(name)) {
      throw invalid(def.kind, name, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'", 'metadata.name');
    }
    if (def.namespaced) {
      const ns = namespace ?? obj.metadata.namespace ?? 'default';
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
        throw invalid(def.kind, name, 'the namespace of the provided object does not match the namespace sent on the request', 'metadata.namespace');
      }
      obj.metadata.namespace = ns;
      // NamespaceLifecycle admission: nothing new in a namespace being deleted, whoever writes it
      if (this.bucket('namespaces').get(this.key(undefined, ns))?.metadata.deletionTimestamp) throw namespaceTerminating(resource, def.group, name, ns);
    } else delete obj.metadata.namespace;
    const k = this.key(obj.metadata.namespace, name);
    if (this.bucket(resource).has(k)) throw alreadyExists(resource, def.group, name);
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    obj.metadata.resourceVersion = String(++this.rv);
    obj.metadata.generation = 1;
    delete obj.metadata.deletionTimestamp;
    delete obj.metadata.deletionGracePeriodSeconds;
    prepare?.(obj);
    this.bucket(resource).set(k, obj);
    this.emit({ type: 'ADDED', resource, object: obj });
    return clone(obj);
  }

  /**
   * Replaces a stored object. `expectedRv`, when given, must equal the stored
   * resourceVersion (409 Conflict otherwise), as for a PUT or a patch that
   * carries metadata.resourceVersion.
   */
  update(resource: ResourceName, next: KubeObject, expectedRv?: string): KubeObject {
    const def = resourceDef(resource);
    const k = this.key(def.namespaced ? next.metadata.namespace : undefined, next.metadata.name);
    const cur = this.bucket(resource).get(k);
    if (!cur) throw notFound(resource, def.group, next.metadata.name);
    if (expectedRv !== undefined && expectedRv !== '' && expectedRv !== cur.metadata.resourceVersion) {
      throw conflict(resource, def.group, next.metadata.name);
    }
    const obj = clone(next);
    // identity and bookkeeping belong to the server
    obj.apiVersion = cur.apiVersion;
    obj.kind = cur.kind;
    obj.metadata = {
      ...obj.metadata,
      name: cur.metadata.name,
      namespace: cur.metadata.namespace,
      uid: cur.metadata.uid,
      creationTimestamp: cur.metadata.creationTimestamp,
      resourceVersion: String(++this.rv),
    };
    if (!def.namespaced) delete obj.metadata.namespace;
    if (JSON.stringify(obj.spec) !== JSON.stringify(cur.spec)) obj.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    else obj.metadata.generation = cur.metadata.generation;
    this.bucket(resource).set(k, obj);
    this.emit({ type: 'MODIFIED', resource, object: obj, old: cur });
    return clone(obj);
  }

  /** Read-modify-write without a concurrency check, for the simulated controllers. */
  mutate(resource: ResourceName, namespace: string | undefined, name: string, fn: (o: KubeObject) => void): KubeObject | undefined {
    const cur = this.get(resource, namespace, name);
    if (!cur) return undefined;
    const before = JSON.stringify(cur);
    fn(cur);
    if (JSON.stringify(cur) === before) return cur;
    return this.update(resource, cur);
  }

  /** Removes the object at once; what a DELETE means for each kind (grace periods, finalizers) is deletion.ts's. */
  delete(resource: ResourceName, namespace: string | undefined, name: string): KubeObject {
    const def = resourceDef(resource);
    const k = this.key(def.namespaced ? namespace : undefined, name);
    const cur = this.bucket(resource).get(k);
    if (!cur) throw notFound(resource, def.group, name);
    this.bucket(resource).delete(k);
    const gone = { ...cur, metadata: { ...cur.metadata, resourceVersion: String(++this.rv) } };
    this.emit({ type: 'DELETED', resource, object: gone, old: cur });
    return clone(gone);
  }
}
