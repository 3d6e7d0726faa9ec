import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpEvent, HttpResult } from '../../src/api/httpEvent.js';
import { toHttpEvent } from './httpEvent.js';
import { readRouteTable, type DeclaredRoute } from '../../src/api/declaredRoutes.js';
import { matchPath } from './matchPath.js';
import type { ConsoleFiles } from '../../console/build.js';

type HttpLambda = (event: HttpEvent) => Promise<HttpResult>;

export interface LocalApiServer {
  url: string;
  routes: DeclaredRoute[];
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
const ROOT = new URL('../../', import.meta.url);

/** Loads each route's handler from the module serverless.yml names: the code the Lambda runs. */
async function loadHandlers(routes: DeclaredRoute[]): Promise<Map<DeclaredRoute, HttpLambda>> {
  const out = new Map<DeclaredRoute, HttpLambda>();
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

const error = (code: string, message: string, remedy: string) => ({ error: { code, message, remedy } });

/** A bearer token the local stack accepts, and what it may do: `read` stands for a viewer's IAM role (GET routes only). */
interface LocalToken {
  name: string;
  token: string;
  access: 'operate' | 'read';
}

function tokenOf(req: IncomingMessage, tokens: readonly LocalToken[]): LocalToken | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const a = Buffer.from(m[1]!);
  return tokens.find((t) => {
    const b = Buffer.from(t.token);
    return a.length === b.length && timingSafeEqual(a, b);
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  // read to the end even past the limit: an answer sent while the client is still sending resets the connection, and the client sees no 413
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY ? undefined : Buffer.concat(chunks);
}

// The console's page may load only what its own origin serves: nothing from a CDN, no request elsewhere.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The console's files, served without the token (they hold no data; every
 * API call they make carries it): the page at `/`, its assets under
 * `/console/`, and `config.json`, which tells the console to sign in with a
 * token. Anything else is not the console's: false, and the API answers.
 */
async function serveConsole(req: IncomingMessage, res: ServerResponse, files: () => Promise<ConsoleFiles>): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (path === '/config.json') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ mode: 'token' }));
    return true;
  }
  if (path !== '/' && path !== '/index.html' && !path.startsWith('/console/')) return false;
  const file = (await files()).get(path === '/' ? 'index.html' : path.slice(1));
  if (!file) {
    send(res, 404, error('NotFound', `the console has no file ${path}`, 'open / : the page names its assets by their hash, which changes with each build'));
    return true;
  }
  res.writeHead(200, {
    'content-type': file.contentType,
    'content-length': String(file.body.length),
    'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    ...(file.contentType.startsWith('text/html') ? { 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : file.body);
  return true;
}

/**
 * The HTTP API on this machine: API Gateway's part played locally. The
 * route table comes from serverless.yml; each request becomes the payload
 * 2.0 event API Gateway would send, and the function's own handler answers.
 * A bearer token stands in for IAM: without it every request is a 401.
 */
export async function startApiServer(options: {
  token: string;
  /** a second, read-only token: every change is refused with 403 */
  viewerToken?: string;
  port: number;
  host?: string;
  tokenFile?: string;
  /** the console's files (console/build.ts), served without the token; without it `/` is an API path like any other */
  console?: () => Promise<ConsoleFiles>;
}): Promise<LocalApiServer> {
  const tokens: LocalToken[] = [
    { name: 'operator', token: options.token, access: 'operate' },
    ...(options.viewerToken ? [{ name: 'viewer', token: options.viewerToken, access: 'read' as const }] : []),
  ];
  const routes = readRouteTable();
  const handlers = await loadHandlers(routes);
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (options.console && (req.method === 'GET' || req.method === 'HEAD') && (await serveConsole(req, res, options.console))) return;
      // the body is read whatever the answer (a refusal too), so the client always gets the answer
      const body = await readBody(req);
      const caller = tokenOf(req, tokens);
      if (!caller) {
        return send(
          res,
          401,
          error(
            'Unauthorized',
            req.headers.authorization ? 'the bearer token is not one this stack accepts' : 'the request has no Authorization header',
            `send Authorization: Bearer <token>: the token npm start printed, or KUPGRADE_TOKEN (the local stack writes it to ${options.tokenFile ?? '<data dir>/token'})`,
          ),
          { 'www-authenticate': 'Bearer' },
        );
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      // local only, outside the API: what this token may do, so the console can disable what it may not (deployed, IAM decides)
      if (path === '/local/access' && req.method === 'GET')
        return send(res, 200, { name: caller.name, access: caller.access }, { 'cache-control': 'no-store' });
      const candidates = routes.map((r) => ({ r, params: matchPath(r.path, path) })).filter((c) => c.params);
      const hit = candidates.find((c) => c.r.method === req.method);
      if (!hit) {
        return candidates.length
          ? send(
              res,
              405,
              error(
                'MethodNotAllowed',
                `${req.method} is not allowed on ${path}`,
                `use ${candidates.map((c) => c.r.method).join(' or ')} ${path}; see GET /openapi.json`,
              ),
              { allow: candidates.map((c) => c.r.method).join(', ') },
            )
          : send(res, 404, error('RouteNotFound', `no route ${req.method} ${path}`, 'see GET /openapi.json for the routes'));
      }
      if (caller.access === 'read' && hit.r.method !== 'GET') {
        return send(
          res,
          403,
          error(
            'Forbidden',
            `the ${caller.name} token may only read: ${req.method} ${path} changes something`,
            'use the operator token (KUPGRADE_TOKEN) to act',
          ),
        );
      }
      if (!body) return send(res, 413, error('PayloadTooLarge', `the body exceeds ${MAX_BODY} bytes`, 'send a smaller body: a kubeconfig is a few kilobytes'));
      const result = await handlers.get(hit.r)!(toHttpEvent(req, url, body, hit.r, hit.params!, `local:${caller.name}`));
      res.writeHead(result.statusCode, result.headers);
      res.end(result.body);
    })().catch((err: unknown) => {
      console.error('local API server:', err);
      if (!res.headersSent)
        send(res, 500, error('InternalError', 'the local server failed to handle the request', "retry; if it persists, read the local stack's output"));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? // the one line npm start prints, naming the setting to change
            new Error(
              `port ${options.port} on ${options.host ?? '127.0.0.1'} is in use: set PORT to a free one (PORT=3001 npm start), or stop what listens there`,
            )
          : err,
      ),
    );
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
