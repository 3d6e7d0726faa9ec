import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { auditEntry, type AuditEntry } from './audit.js';
import type { Credentials } from './credentials.js';
import type { History } from './history.js';
import { logOptions, serveLog } from './logs.js';
import { findResource, groupVersions, intake, type ResourceDef } from './registry.js';
import { handleResource, type Reply } from './rest.js';
import { versionInfo, type SimRuntime } from './runtime.js';
import { listPredicate } from './selectors.js';
import { ApiError, badRequest, failureStatus } from './status.js';
import { parseIncludeObject, toTable, wantsTable } from './table.js';
import type { KubeObject } from './store.js';
import type { SimTls } from './tls.js';
import type { WatchHub } from './watch.js';

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  /** the decoded body of a write */
  body?: unknown;
}

const PUBLIC_PATHS = new Set(['/readyz', '/livez', '/healthz', '/version']);

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  try {
    return type.endsWith('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch {
    throw badRequest(`the request body could not be decoded as ${type || 'JSON'}`);
  }
}

/** A request path naming a resource: /api/v1/... and /apis/{group}/{version}/..., with namespace, name and subresource. */
interface Target {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function parseTarget(url: URL): Target | undefined {
  const segs = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 2) [group, version, rest] = ['', segs[1]!, segs.slice(2)];
  else if (segs[0] === 'apis' && segs.length >= 3) [group, version, rest] = [segs[1]!, segs[2]!, segs.slice(3)];
  else return undefined;
  if (!groupVersions().some((gv) => gv.group === group && gv.version === version) || rest.length === 0) return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && findResource(group, version, rest[2]!)?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const def = findResource(group, version, rest[0]!);
  if (!def || rest.length > 3) return undefined;
  return { def, namespace, name: rest[1], subresource: rest[2] };
}

async function routeResource(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  target: Target,
  record: RequestRecord,
): Promise<Reply | 'streamed'> {
  const { rt } = deps;
  const { def, namespace, name, subresource } = target;
  const q = url.searchParams;
  if (subresource === 'log' && def.storage === 'pods') {
    if (req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    serveLog(rt.store, res, namespace ?? 'default', name!, logOptions(q));
    return 'streamed';
  }
  const table = req.method === 'GET' && !subresource && wantsTable(req.headers.accept);
  const include = parseIncludeObject(q.get('includeObject'));
  if (req.method === 'GET' && !subresource && (q.get('watch') === 'true' || q.get('watch') === '1') && deps.hub) {
    // watching one named object is a watch with a metadata.name field selector
    const fields = [q.get('fieldSelector'), name ? `metadata.name=${name}` : ''].filter(Boolean).join(',');
    deps.hub.serve(res, {
      def,
      namespace,
      predicate: listPredicate(def, q.get('labelSelector') ?? undefined, fields || undefined),
      resourceVersion: q.get('resourceVersion') ?? '',
      sendInitialEvents: q.get('sendInitialEvents') === 'true',
      allowBookmarks: q.get('allowWatchBookmarks') === 'true',
      timeoutSeconds: q.get('timeoutSeconds') ? Number(q.get('timeoutSeconds')) : undefined,
      table: table ? { include } : undefined,
    });
    return 'streamed';
  }
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
  if (body !== undefined && deps.recordBodies !== false) record.body = body;
  const reply = handleResource(
    { store: rt.store, history: deps.history },
    {
      method: req.method ?? 'GET',
      def,
      namespace,
      name,
      subresource,
      query: q,
      contentType: req.headers['content-type'] ?? 'application/json',
      body,
    },
  );
  if (!table || reply.code !== 200) return reply;
  // kubectl get asks for server-side printing: the same objects as a Table, printed from their stored shape
  const b = reply.body as { items?: KubeObject[]; metadata?: Record<string, unknown> };
  const objects = (b.items ?? [reply.body as KubeObject]).map((o) => intake(def, o));
  return { ...reply, body: toTable(def, objects, { include, listMeta: b.items ? b.metadata : undefined }) };
}

type ExtraRoute = (url: URL, req: IncomingMessage) => Reply | undefined;

export interface ServerDeps {
  rt: SimRuntime;
  tls: SimTls;
  credentials: Credentials;
  history: History;
  requests: RequestRecord[];
  /** false: the request log keeps no bodies (a bench of thousands of nodes would hold every Job it created) */
  recordBodies?: boolean;
  /** every write answered, with the credential that made it */
  audit: AuditEntry[];
  /** more read-only routes (discovery), tried before the resource routes */
  extraRoutes?: ExtraRoute[];
  /** serves ?watch=true; without it watch requests are answered as lists */
  hub?: WatchHub;
  /** sees each request first: true when it answered it itself (the local fault injector), false to go on */
  intercept?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

function send(res: ServerResponse, reply: Reply): void {
  const raw = Buffer.isBuffer(reply.body);
  const text = raw ? (reply.body as Buffer) : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.code, {
    'Content-Type': reply.contentType ?? (typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json'),
    'Content-Length': Buffer.byteLength(text),
    ...(reply.warnings?.length ? { Warning: reply.warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {}),
  });
  res.end(text);
}

export function createSimServer(deps: ServerDeps): Server {
  const { rt, credentials, requests } = deps;
  return createServer({ key: deps.tls.key, cert: deps.tls.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const record: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) };
    requests.push(record);
    const target = parseTarget(url);
    const credential = credentials.authenticate(req.headers.authorization);
    const answer = (reply: Reply) => {
      const created = reply.code === 201 ? (reply.body as { metadata?: { name?: string } } | undefined)?.metadata?.name : undefined;
      const entry = auditEntry(req.method ?? 'GET', target && { ...target, resource: target.def.resource }, credential, reply.code, created);
      if (entry) deps.audit.push(entry);
      send(res, reply);
    };
    void (async () => {
      try {
        if (deps.intercept && (await deps.intercept(req, res))) return;
        if (!PUBLIC_PATHS.has(url.pathname) && credential === undefined) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
        if (url.pathname === '/readyz' && rt.readyzFailure) {
          return answer({ code: 500, body: `[+]ping ok\n[-]${rt.readyzFailure} failed: reason withheld\nreadyz check failed` });
        }
        if (url.pathname === '/readyz' || url.pathname === '/livez' || url.pathname === '/healthz') return answer({ code: 200, body: 'ok' });
        if (url.pathname === '/version') return answer({ code: 200, body: versionInfo(rt.gitVersion) });
        for (const route of deps.extraRoutes ?? []) {
          const r = route(url, req);
          if (r) return answer(r);
        }
        const reply = target ? await routeResource(deps, req, res, url, target, record) : undefined;
        if (reply === 'streamed') return;
        if (reply) return answer(reply);
        answer({ code: 404, body: failureStatus(404, 'NotFound', 'the server could not find the requested resource', {}) });
      } catch (e) {
        if (res.headersSent) return void res.end();
        if (e instanceof ApiError) return answer({ code: e.code, body: e.toStatus() });
        answer({ code: 500, body: failureStatus(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`) });
      }
    })();
  });
}
