import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { findResource, groupVersions } from './registry.js';
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

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

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

/**
 * /api/v1/... and /apis/{group}/{version}/...: finds the resource row and the
 * namespace, name and subresource in the rest of the path.
 */
async function routeResource(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, url: URL, record: RequestRecord): Promise<Reply | 'streamed' | undefined> {
  const { rt } = deps;
  const segs = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
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
  const q = url.searchParams;
  const table = req.method === 'GET' && rest.length <= 2 && wantsTable(req.headers.accept);
  const include = parseIncludeObject(q.get('includeObject'));
  if (req.method === 'GET' && rest.length <= 2 && (q.get('watch') === 'true' || q.get('watch') === '1') && deps.hub) {
    // watching one named object is a watch with a metadata.name field selector
    const fields = [q.get('fieldSelector'), rest[1] ? `metadata.name=${rest[1]}` : ''].filter(Boolean).join(',');
    deps.hub.serve(res, {
      def,
      namespace,
      predicate: listPredicate(q.get('labelSelector') ?? undefined, fields || undefined),
      resourceVersion: q.get('resourceVersion') ?? '',
      sendInitialEvents: q.get('sendInitialEvents') === 'true',
      allowBookmarks: q.get('allowWatchBookmarks') === 'true',
      timeoutSeconds: q.get('timeoutSeconds') ? Number(q.get('timeoutSeconds')) : undefined,
      table: table ? { include } : undefined,
    });
    return 'streamed';
  }
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
  if (body !== undefined) record.body = body;
  const reply = handleResource(rt.store, {
    method: req.method ?? 'GET',
    def,
    namespace,
    name: rest[1],
    subresource: rest[2],
    query: q,
    contentType: req.headers['content-type'] ?? 'application/json',
    body,
  });
  if (!table || reply.code !== 200) return reply;
  // kubectl get asks for server-side printing: the same objects as a Table
  const b = reply.body as { items?: KubeObject[]; metadata?: { resourceVersion?: string } };
  const objects = b.items ?? [reply.body as KubeObject];
  return { ...reply, body: toTable(def, objects, { include, resourceVersion: b.items ? b.metadata?.resourceVersion : undefined }) };
}

export type ExtraRoute = (url: URL, req: IncomingMessage) => Reply | undefined;

export interface ServerDeps {
  rt: SimRuntime;
  tls: SimTls;
  token: string;
  requests: RequestRecord[];
  /** more read-only routes (discovery), tried before the resource routes */
  extraRoutes?: ExtraRoute[];
  /** serves ?watch=true; without it watch requests are answered as lists */
  hub?: WatchHub;
}

export function createSimServer(deps: ServerDeps): Server {
  const { rt, token, requests } = deps;
  const send = (res: ServerResponse, reply: Reply) => {
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.code, {
      'Content-Type': typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'Content-Length': Buffer.byteLength(text),
      ...(reply.warnings?.length ? { Warning: reply.warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {}),
    });
    res.end(text);
  };
  return createServer({ key: deps.tls.key, cert: deps.tls.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const record: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) };
    requests.push(record);
    void (async () => {
      try {
        if (!PUBLIC_PATHS.has(url.pathname) && !tokenMatches(req.headers.authorization, token)) {
          throw new ApiError(401, 'Unauthorized', 'Unauthorized');
        }
        if (url.pathname === '/readyz' && rt.readyzFailure) {
          return send(res, { code: 500, body: `[+]ping ok\n[-]${rt.readyzFailure} failed: reason withheld\nreadyz check failed` });
        }
        if (url.pathname === '/readyz' || url.pathname === '/livez' || url.pathname === '/healthz') return send(res, { code: 200, body: 'ok' });
        if (url.pathname === '/version') return send(res, { code: 200, body: versionInfo(rt.gitVersion) });
        for (const route of deps.extraRoutes ?? []) {
          const r = route(url, req);
          if (r) return send(res, r);
        }
        const reply = await routeResource(deps, req, res, url, record);
        if (reply === 'streamed') return;
        if (reply) return send(res, reply);
        send(res, { code: 404, body: failureStatus(404, 'NotFound', 'the server could not find the requested resource', {}) });
      } catch (e) {
        if (e instanceof ApiError) return send(res, { code: e.code, body: e.toStatus() });
        send(res, { code: 500, body: failureStatus(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`) });
      }
    })();
  });
}
