import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpEvent, HttpResult } from '../../src/api/httpEvent.js';
import { toHttpEvent } from './httpEvent.js';
import { matchPath, readRouteTable, type LocalRoute } from './routeTable.js';

export type HttpLambda = (event: HttpEvent) => Promise<HttpResult>;

export interface LocalApiServer {
  url: string;
  routes: LocalRoute[];
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
const ROOT = new URL('../../', import.meta.url);

/** Loads each route's handler from the module serverless.yml names: the code the Lambda runs. */
export async function loadHandlers(routes: LocalRoute[]): Promise<Map<LocalRoute, HttpLambda>> {
  const out = new Map<LocalRoute, HttpLambda>();
  for (const r of routes) {
    const mod = (await import(new URL(r.module, ROOT).href)) as Record<string, unknown>;
    const fn = mod[r.exportName];
    if (typeof fn !== 'function') throw new Error(`${r.module} exports no ${r.exportName} (serverless.yml function ${r.fn})`);
    out.set(r, fn as HttpLambda);
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), ...headers });
  res.end(text);
}

const error = (code: string, message: string) => ({ error: { code, message } });

function authorized(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The HTTP API on this machine: API Gateway's part played locally. The
 * route table comes from serverless.yml; each request becomes the payload
 * 2.0 event API Gateway would send, and the function's own handler answers.
 * A bearer token stands in for IAM: without it every request is a 401.
 */
export async function startApiServer(options: { token: string; port: number; host?: string }): Promise<LocalApiServer> {
  const routes = readRouteTable();
  const handlers = await loadHandlers(routes);
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (!authorized(req, options.token)) {
        return send(res, 401, error('Unauthorized', 'send Authorization: Bearer <token> (the token npm start printed, or KUPGRADE_TOKEN)'), { 'www-authenticate': 'Bearer' });
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      const candidates = routes.map((r) => ({ r, params: matchPath(r.path, path) })).filter((c) => c.params);
      const hit = candidates.find((c) => c.r.method === req.method);
      if (!hit) {
        return candidates.length
          ? send(res, 405, error('MethodNotAllowed', `${req.method} is not allowed on ${path}; allowed: ${candidates.map((c) => c.r.method).join(', ')}`))
          : send(res, 404, error('RouteNotFound', `no route ${req.method} ${path}; see GET /openapi.json`));
      }
      const body = await readBody(req);
      if (!body) return send(res, 413, error('PayloadTooLarge', `the body exceeds ${MAX_BODY} bytes`));
      const result = await handlers.get(hit.r)!(toHttpEvent(req, url, body, hit.r, hit.params!));
      res.writeHead(result.statusCode, result.headers);
      res.end(result.body);
    })().catch((err: unknown) => {
      console.error('local API server:', err);
      if (!res.headersSent) send(res, 500, error('InternalError', 'the local server failed to handle the request'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.address}:${addr.port}`,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
