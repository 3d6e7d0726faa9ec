import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RESOURCES, groupVersions, type ResourceDef } from './registry.js';
import type { Reply } from './rest.js';
import { schemaOf, type Schema } from './schema.js';

function toOpenApi(s: Schema): Record<string, unknown> {
  switch (s.t) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return { type: s.t };
    case 'time':
      return { type: 'string', format: 'date-time' };
    case 'int-or-string':
      return { 'x-kubernetes-int-or-string': true };
    case 'quantity':
      return { oneOf: [{ type: 'string' }, { type: 'number' }] };
    case 'any':
      return { 'x-kubernetes-preserve-unknown-fields': true };
    case 'map':
      return { type: 'object', additionalProperties: toOpenApi(s.values) };
    case 'array':
      return {
        type: 'array',
        items: toOpenApi(s.items),
        ...(s.mergeKey ? { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': s.mergeKey } : {}),
      };
    case 'object':
      return {
        type: 'object',
        properties: Object.fromEntries(Object.entries(s.props).map(([k, v]) => [k, toOpenApi(v)])),
        ...(s.required ? { required: s.required } : {}),
      };
  }
}

/** io.k8s.api.core.v1.Pod, io.k8s.api.events.v1.Event: the group's first label, as Kubernetes names its definitions */
const schemaName = (def: ResourceDef) => `io.k8s.api.${def.group.split('.')[0] || 'core'}.${def.version}.${def.kind}`;
const gvk = (def: ResourceDef) => ({ group: def.group, version: def.version, kind: def.kind });
const param = (name: string, where: 'path' | 'query', type = 'string') => ({
  name,
  in: where,
  ...(where === 'path' ? { required: true } : {}),
  schema: { type },
});
const QUERY_WRITE = [param('dryRun', 'query'), param('fieldManager', 'query'), param('fieldValidation', 'query')];
const QUERY_LIST = ['labelSelector', 'fieldSelector', 'resourceVersion', 'continue']
  .map((n) => param(n, 'query'))
  .concat([param('limit', 'query', 'integer'), param('watch', 'query', 'boolean'), param('timeoutSeconds', 'query', 'integer')]);
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** The operations of one resource, tagged the way kubectl's fieldValidation probe looks for them (a PATCH with the GVK extension and the parameter). */
function resourcePaths(def: ResourceDef): Record<string, unknown> {
  const base = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
  const collection = def.namespaced ? `${base}/namespaces/{namespace}/${def.resource}` : `${base}/${def.resource}`;
  const ref = { $ref: `#/components/schemas/${schemaName(def)}` };
  const body = (types: string[]) => ({ content: Object.fromEntries(types.map((t) => [t, { schema: ref }])), required: true });
  const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
  const op = (action: string, id: string, extra: Record<string, unknown> = {}) => ({
    tags: [def.group ? `${def.group}_${def.version}` : `core_${def.version}`],
    operationId: `${id}${def.namespaced ? 'Namespaced' : ''}${def.kind}`,
    responses: ok,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(def),
    ...extra,
  });
  const nsParams = def.namespaced ? [param('namespace', 'path')] : [];
  const paths: Record<string, unknown> = {
    [collection]: {
      get: op('list', 'list', { parameters: QUERY_LIST }),
      post: op('post', 'create', { parameters: QUERY_WRITE, requestBody: body(['application/json', 'application/yaml']) }),
      parameters: nsParams,
    },
    [`${collection}/{name}`]: {
      get: op('get', 'read'),
      put: op('put', 'replace', { parameters: QUERY_WRITE, requestBody: body(['application/json', 'application/yaml']) }),
      patch: op('patch', 'patch', { parameters: [...QUERY_WRITE, param('force', 'query', 'boolean')], requestBody: body(PATCH_TYPES) }),
      delete: op('delete', 'delete', { parameters: [param('propagationPolicy', 'query'), param('gracePeriodSeconds', 'query', 'integer')] }),
      parameters: [param('name', 'path'), ...nsParams],
    },
  };
  if (def.namespaced)
    paths[`${base}/${def.resource}`] = { get: op('list', 'list', { operationId: `list${def.kind}ForAllNamespaces`, parameters: QUERY_LIST }) };
  return paths;
}

function gvDocument(group: string, version: string): Record<string, unknown> {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  const schemas: Record<string, unknown> = {};
  for (const def of defs) {
    const s = schemaOf(def);
    if (s) schemas[schemaName(def)] = { ...toOpenApi(s), 'x-kubernetes-group-version-kind': [gvk(def)] };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (kube-sim)', version: 'unversioned' },
    paths: Object.assign({}, ...defs.map(resourcePaths)),
    components: { schemas },
  };
}

const gvKey = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

/** Built once: the documents only depend on the registry and the schemas. */
const DOCUMENTS = new Map(groupVersions().map((gv) => [gvKey(gv.group, gv.version), gvDocument(gv.group, gv.version)]));
const hashOf = (text: string) => createHash('sha512').update(text).digest('hex').slice(0, 64).toUpperCase();

/** A protobuf length-delimited field (wire type 2) holding bytes. */
function field(n: number, bytes: Buffer): Buffer {
  const len: number[] = [];
  for (let v = bytes.length; ; v >>>= 7) {
    len.push(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
    if (v < 0x80) break;
  }
  return Buffer.concat([Buffer.from([(n << 3) | 2, ...len]), bytes]);
}

const V2_INFO = { title: 'Kubernetes', version: 'unversioned' };

/**
 * /openapi/v2, which kubectl reads (as protobuf, an openapi_v2.Document)
 * only to validate an object whose group/version /openapi/v3 does not list:
 * a document without definitions, so an unknown kind is skipped there and
 * kubectl goes on to say `no matches for kind`, as against a real server.
 */
function openApiV2(req: IncomingMessage): Reply {
  if ((req.headers.accept ?? '').includes('protobuf')) {
    const info = Buffer.concat([field(1, Buffer.from(V2_INFO.title)), field(2, Buffer.from(V2_INFO.version))]);
    const doc = Buffer.concat([field(1, Buffer.from('2.0')), field(2, info)]);
    return { code: 200, body: doc, contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' };
  }
  return { code: 200, body: { swagger: '2.0', info: V2_INFO, paths: {}, definitions: {} } };
}

/** /openapi/v3 (the index kubectl starts from), /openapi/v3/{api/v1|apis/g/v}, and /openapi/v2. */
export function openApiRoute(url: URL, req: IncomingMessage): Reply | undefined {
  if (req.method === 'GET' && url.pathname.replace(/\/+$/, '') === '/openapi/v2') return openApiV2(req);
  if (req.method !== 'GET' || !url.pathname.startsWith('/openapi/v3')) return undefined;
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '/openapi/v3') {
    const paths = Object.fromEntries([...DOCUMENTS].map(([k, doc]) => [k, { serverRelativeURL: `/openapi/v3/${k}?hash=${hashOf(JSON.stringify(doc))}` }]));
    return { code: 200, body: { paths } };
  }
  const doc = DOCUMENTS.get(path.slice('/openapi/v3/'.length));
  return doc ? { code: 200, body: doc } : undefined;
}
