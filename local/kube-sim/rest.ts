import { deleteWithDependents, parsePolicy } from './gc.js';
import { evictPod } from './eviction.js';
import { applyPatch } from './patch.js';
import { apiVersionOf, type ResourceDef, type ResourceName } from './registry.js';
import { listPredicate } from './selectors.js';
import { ApiError, badRequest, notFound, successStatus } from './status.js';
import type { KubeObject, ObjectStore } from './store.js';
import { KIND_SCHEMAS } from './schema.js';
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
  body: unknown;
  /** sent as `Warning: 299 - "…"` headers (unknown fields under fieldValidation=Warn) */
  warnings?: string[];
}

const ok = (body: unknown, code = 200): Reply => ({ code, body });

/** fieldValidation on a write: Strict throws naming the unknown fields; Warn returns them as warnings. */
function validated(req: ResourceRequest, written: unknown, reply: () => Reply): Reply {
  const warnings = checkFields(req.def, written, parseFieldValidation(req.query.get('fieldValidation')));
  const r = reply();
  return warnings.length ? { ...r, warnings } : r;
}

function methodNotAllowed(req: ResourceRequest): ApiError {
  return new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
}

function requireNamespace(store: ObjectStore, req: ResourceRequest): void {
  if (req.def.namespaced && req.namespace && !store.get('namespaces', undefined, req.namespace)) {
    throw notFound('namespaces', '', req.namespace);
  }
}

function asObject(body: unknown): KubeObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  const o = body as KubeObject;
  return { ...o, metadata: { ...(o.metadata ?? {}) } } as KubeObject;
}

/**
 * Writes through the main resource keep the stored status, and writes through
 * the status subresource keep everything else, as on a real server.
 */
function splitWrite(current: KubeObject, next: KubeObject, subresource?: string): KubeObject {
  if (subresource === 'status') return { ...current, status: next.status };
  return { ...next, status: current.status };
}

function list(store: ObjectStore, req: ResourceRequest): Reply {
  const pred = listPredicate(req.query.get('labelSelector') ?? undefined, req.query.get('fieldSelector') ?? undefined);
  const items = store.list(req.def.resource as ResourceName, req.namespace, pred);
  return ok({ kind: `${req.def.kind}List`, apiVersion: apiVersionOf(req.def), metadata: { resourceVersion: store.resourceVersion }, items });
}

function create(store: ObjectStore, req: ResourceRequest): Reply {
  requireNamespace(store, req);
  const obj = asObject(req.body);
  if (obj.kind && obj.kind !== req.def.kind) throw badRequest(`the kind "${obj.kind}" does not match the resource ${req.def.resource}`);
  // Clients do not set a pod's status; the server starts every pod Pending (and a namespace Active).
  if (req.def.resource === 'pods') obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
  if (req.def.resource === 'namespaces') obj.status = { phase: 'Active' };
  return validated(req, req.body, () => ok(store.create(req.def.resource as ResourceName, obj, req.namespace), 201));
}

function remove(store: ObjectStore, req: ResourceRequest, name: string): Reply {
  const resource = req.def.resource as ResourceName;
  const policy = parsePolicy(resource, req.query.get('propagationPolicy'), req.body);
  const gone = deleteWithDependents(store, resource, req.namespace, name, policy);
  if (resource === 'pods') return ok(gone);
  return ok(successStatus({ name, group: req.def.group || undefined, kind: req.def.resource, uid: gone.metadata.uid }));
}

function deleteCollection(store: ObjectStore, req: ResourceRequest): Reply {
  const pred = listPredicate(req.query.get('labelSelector') ?? undefined, req.query.get('fieldSelector') ?? undefined);
  const resource = req.def.resource as ResourceName;
  const items = store.list(resource, req.namespace, pred);
  const policy = parsePolicy(resource, req.query.get('propagationPolicy'), req.body);
  for (const o of items) {
    if (store.get(resource, o.metadata.namespace, o.metadata.name)) deleteWithDependents(store, resource, o.metadata.namespace, o.metadata.name, policy);
  }
  return ok({ kind: `${req.def.kind}List`, apiVersion: apiVersionOf(req.def), metadata: { resourceVersion: store.resourceVersion }, items });
}

function patch(store: ObjectStore, req: ResourceRequest, name: string): Reply {
  const resource = req.def.resource as ResourceName;
  const current = store.mustGet(resource, req.namespace, name);
  const patched = applyPatch(req.contentType, current, req.body, KIND_SCHEMAS[req.def.kind]) as KubeObject;
  // A resourceVersion in the patch is a precondition (optimistic concurrency).
  const precondition = (req.body as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  // The patched object is what gets validated: directives are gone by then, as on a real server.
  return validated(req, patched, () => ok(store.update(resource, splitWrite(current, patched, req.subresource), precondition)));
}

function replace(store: ObjectStore, req: ResourceRequest, name: string): Reply {
  const resource = req.def.resource as ResourceName;
  const current = store.mustGet(resource, req.namespace, name);
  const next = asObject(req.body);
  if (next.metadata.name && next.metadata.name !== name) throw badRequest('the name of the object does not match the name on the URL');
  next.metadata.name = name;
  next.metadata.namespace = current.metadata.namespace;
  return validated(req, req.body, () => ok(store.update(resource, splitWrite(current, next, req.subresource), next.metadata.resourceVersion ?? undefined)));
}

/** The generic verbs over the object store, plus the eviction subresource. */
export function handleResource(store: ObjectStore, req: ResourceRequest): Reply {
  const resource = req.def.resource as ResourceName;
  const { method, name, subresource } = req;
  if (subresource && !req.def.subresources.includes(subresource)) throw notFound(req.def.resource, req.def.group, `${name}/${subresource}`);
  if (!name) {
    if (method === 'GET') return list(store, req);
    if (method === 'POST') return create(store, req);
    if (method === 'DELETE') return deleteCollection(store, req);
    throw methodNotAllowed(req);
  }
  if (subresource === 'eviction') {
    if (method !== 'POST' || resource !== 'pods') throw methodNotAllowed(req);
    return ok(evictPod(store, req.namespace ?? 'default', name), 201);
  }
  if (subresource && subresource !== 'status') throw methodNotAllowed(req);
  switch (method) {
    case 'GET':
      return ok(store.mustGet(resource, req.namespace, name));
    case 'PATCH':
      return patch(store, req, name);
    case 'PUT':
      return replace(store, req, name);
    case 'DELETE':
      if (subresource) throw methodNotAllowed(req);
      return remove(store, req, name);
    default:
      throw methodNotAllowed(req);
  }
}
