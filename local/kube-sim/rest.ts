import { admitCreate } from './admission.js';
import { deleteObject, guardDeletingWrite, parseDeleteOptions, removeIfFinalized } from './deletion.js';
import { evictPod } from './eviction.js';
import type { History } from './history.js';
import { listQuery, readPage } from './paging.js';
import { applyPatch } from './patch.js';
import { apiVersionOf, intake, present, type ResourceDef, type ResourceName } from './registry.js';
import { listPredicate } from './selectors.js';
import { ApiError, badRequest, notFound, successStatus } from './status.js';
import type { KubeObject, ObjectStore } from './store.js';
import { schemaOf } from './schema.js';
import { checkFields, parseFieldValidation } from './validate.js';

/** One API request, already routed to a resource. */
export interface ResourceRequest {
  method: string;
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  contentType: string;
  body: unknown;
}

export interface Reply {
  code: number;
  /** JSON, text (text/plain), or bytes sent as contentType */
  body: unknown;
  contentType?: string;
  /** sent as `Warning: 299 - "…"` headers (unknown fields under fieldValidation=Warn) */
  warnings?: string[];
}

/** What the generic verbs read and write: the objects, and their past revisions for paged lists. */
export interface Storage {
  store: ObjectStore;
  history: History;
}

const ok = (body: unknown, code = 200): Reply => ({ code, body });

/** fieldValidation on a write: Strict throws naming the unknown fields; Warn returns them as warnings. */
function validated(req: ResourceRequest, written: unknown, reply: () => Reply): Reply {
  const warnings = checkFields(req.def, written, parseFieldValidation(req.query.get('fieldValidation')));
  const r = reply();
  return warnings.length ? { ...r, warnings } : r;
}

function methodNotAllowed(_req: ResourceRequest): ApiError {
  return new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
}

function requireNamespace(store: ObjectStore, req: ResourceRequest): void {
  if (req.def.namespaced && req.namespace && !store.get('namespaces', undefined, req.namespace)) {
    throw notFound('namespaces', '', req.namespace);
  }
}

function asObject(body: unknown): KubeObject {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const o = body as KubeObject;
    return { ...o, metadata: { ...(o.metadata ?? {}) } } as KubeObject;
  }
  throw badRequest('the request body must be a JSON object');
}

/**
 * Writes through the main resource keep the stored status, writes through
 * the status subresource keep everything else, and the finalize subresource
 * of a namespace changes only its spec.finalizers, as on a real server.
 */
function splitWrite(def: ResourceDef, current: KubeObject, next: KubeObject, subresource?: string): KubeObject {
  if (subresource === 'status') return { ...current, status: next.status };
  if (subresource === 'finalize') {
    const finalizers = (next.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    return { ...current, spec: { ...((current.spec as object | undefined) ?? {}), finalizers } };
  }
  // Kinds without a status subresource (Events, Leases) keep all that was written.
  if (!def.subresources.includes('status')) return next;
  const out = { ...next, status: current.status };
  if (current.status === undefined) delete out.status;
  return out;
}

function list({ store, history }: Storage, req: ResourceRequest): Reply {
  const pred = listPredicate(req.def, req.query.get('labelSelector') ?? undefined, req.query.get('fieldSelector') ?? undefined);
  const page = readPage(store, history, req.def, req.namespace, pred, listQuery(req.query));
  return ok({ kind: `${req.def.kind}List`, apiVersion: apiVersionOf(req.def), metadata: page.metadata, items: page.items.map((o) => present(req.def, o)) });
}

function create({ store }: Storage, req: ResourceRequest): Reply {
  requireNamespace(store, req);
  const written = asObject(req.body);
  if (written.kind && written.kind !== req.def.kind) throw badRequest(`the kind "${written.kind}" does not match the resource ${req.def.resource}`);
  const obj = intake(req.def, written);
  if (req.def.namespaced) obj.metadata.namespace ??= req.namespace;
  const { prepare } = admitCreate(req.def, obj);
  return validated(req, req.body, () => ok(present(req.def, store.create(req.def.storage, obj, req.namespace, prepare)), 201));
}

function remove({ store }: Storage, req: ResourceRequest, name: string): Reply {
  const resource = req.def.storage;
  const { object, removed } = deleteObject(store, resource, req.namespace, name, parseDeleteOptions(resource, req.query, req.body));
  // Pods and objects that linger (a grace period, finalizers, a terminating namespace) come back whole; others as a Status.
  if (resource === 'pods' || !removed) return ok(present(req.def, object));
  return ok(successStatus({ name, group: req.def.group || undefined, kind: req.def.resource, uid: object.metadata.uid }));
}

function deleteCollection({ store }: Storage, req: ResourceRequest): Reply {
  const pred = listPredicate(req.def, req.query.get('labelSelector') ?? undefined, req.query.get('fieldSelector') ?? undefined);
  const resource = req.def.storage;
  const options = parseDeleteOptions(resource, req.query, req.body);
  const items: KubeObject[] = [];
  for (const o of store.list(resource, req.namespace, pred)) {
    if (store.get(resource, o.metadata.namespace, o.metadata.name))
      items.push(deleteObject(store, resource, o.metadata.namespace, o.metadata.name, options).object);
  }
  return ok({
    kind: `${req.def.kind}List`,
    apiVersion: apiVersionOf(req.def),
    metadata: { resourceVersion: store.resourceVersion },
    items: items.map((o) => present(req.def, o)),
  });
}

/** Stores a write and removes the object if it was being deleted and this write lifted its last finalizer. */
function write(store: ObjectStore, resource: ResourceName, current: KubeObject, next: KubeObject, precondition: string | undefined): KubeObject {
  guardDeletingWrite(resource, current, next);
  const stored = store.update(resource, next, precondition);
  removeIfFinalized(store, resource, stored);
  return stored;
}

function patch({ store }: Storage, req: ResourceRequest, name: string): Reply {
  const resource = req.def.storage;
  const current = store.mustGet(resource, req.namespace, name);
  const patched = applyPatch(req.contentType, present(req.def, current), req.body, schemaOf(req.def)) as KubeObject;
  // A resourceVersion in the patch is a precondition (optimistic concurrency).
  const precondition = (req.body as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  // The patched object is what gets validated: directives are gone by then, as on a real server.
  return validated(req, patched, () =>
    ok(present(req.def, write(store, resource, current, splitWrite(req.def, current, intake(req.def, patched), req.subresource), precondition))),
  );
}

function replace({ store }: Storage, req: ResourceRequest, name: string): Reply {
  const resource = req.def.storage;
  const current = store.mustGet(resource, req.namespace, name);
  const next = intake(req.def, asObject(req.body));
  if (next.metadata.name && next.metadata.name !== name) throw badRequest('the name of the object does not match the name on the URL');
  next.metadata.name = name;
  next.metadata.namespace = current.metadata.namespace;
  return validated(req, req.body, () =>
    ok(present(req.def, write(store, resource, current, splitWrite(req.def, current, next, req.subresource), next.metadata.resourceVersion ?? undefined))),
  );
}

/** The generic verbs over the object store, plus the eviction and finalize subresources. */
export function handleResource(storage: Storage, req: ResourceRequest): Reply {
  const { store } = storage;
  const { method, name, subresource } = req;
  if (subresource && !req.def.subresources.includes(subresource)) throw notFound(req.def.resource, req.def.group, `${name}/${subresource}`);
  if (!name) {
    if (method === 'GET') return list(storage, req);
    if (method === 'POST') return create(storage, req);
    if (method === 'DELETE') return deleteCollection(storage, req);
    throw methodNotAllowed(req);
  }
  if (subresource === 'eviction') {
    if (method !== 'POST' || req.def.storage !== 'pods') throw methodNotAllowed(req);
    return ok(evictPod(store, req.namespace ?? 'default', name, req.body), 201);
  }
  if (subresource === 'finalize' && method !== 'PUT') throw methodNotAllowed(req);
  if (subresource && subresource !== 'status' && subresource !== 'finalize') throw methodNotAllowed(req);
  switch (method) {
    case 'GET':
      return ok(present(req.def, store.mustGet(req.def.storage, req.namespace, name)));
    case 'PATCH':
      return patch(storage, req, name);
    case 'PUT':
      return replace(storage, req, name);
    case 'DELETE':
      if (subresource) throw methodNotAllowed(req);
      return remove(storage, req, name);
    default:
      throw methodNotAllowed(req);
  }
}
