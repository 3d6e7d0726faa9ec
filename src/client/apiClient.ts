import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

/**
 * The one typed client of kupgrade's HTTP API, generated from docs/openapi.json
 * (src/client/schema.ts): the console and the CLI both talk through it. It
 * runs in a browser and in Node alike (fetch only).
 */
/** @public the API's objects, for the console and the CLI */
export type Schemas = components['schemas'];
/** @public */
export type Upgrade = Schemas['Upgrade'];
/** @public */
export type Cluster = Schemas['Cluster'];
/** @public */
export type ClusterDetail = Schemas['ClusterDetail'];
/** @public */
export type Check = Schemas['Check'];
/** @public */
export type UpgradeEvent = Schemas['Event'];
export type ApiClient = Client<paths>;

/** How requests are authorised: locally a bearer token; deployed, each request signed (SigV4) by the caller's code. */
export type Auth = { bearer: string } | { sign: (request: Request) => Promise<Request> };

export function createApiClient(options: { baseUrl: string; auth: Auth; fetch?: typeof fetch }): ApiClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), ...(options.fetch ? { fetch: options.fetch } : {}) });
  const auth: Middleware = {
    async onRequest({ request }) {
      if ('bearer' in options.auth) {
        request.headers.set('authorization', `Bearer ${options.auth.bearer}`);
        return request;
      }
      return options.auth.sign(request);
    },
  };
  client.use(auth);
  return client;
}

/** An answer that is not a success, in the API's one error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly remedy: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The data of a success, or the error thrown as an ApiError (API Gateway's own answers, `{message}`, too). */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string; remedy?: string }; message?: string };
  throw new ApiError(
    response.status,
    body.error?.code ?? `Http${response.status}`,
    body.error?.message ?? body.message ?? response.statusText,
    body.error?.remedy ?? (response.status === 403 ? 'check that your identity may call this route' : 'try again, or see the API logs'),
  );
}
