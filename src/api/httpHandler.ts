import type { z } from 'zod';
import { apiContext, type ApiContext } from './context.js';
import { BadRequestError, errorResponse } from './errors.js';
import type { HttpEvent, HttpResult } from './httpEvent.js';
import { apiLogger as logger } from './logger.js';

export interface ApiResult {
  status: number;
  body?: unknown;
}

/** One route's logic: its path parameters and body schemas, and what it does with them. */
export interface Route<P, B, Q = Record<string, never>> {
  params?: z.ZodType<P>;
  /** routes without a body accept none, or `{}` */
  body?: z.ZodType<B>;
  /** routes without a query schema refuse query parameters */
  query?: z.ZodType<Q>;
  run(ctx: ApiContext, input: { params: P; body: B; query: Q }): Promise<ApiResult>;
}

export function defineRoute<P = Record<string, never>, B = undefined, Q = Record<string, never>>(route: Route<P, B, Q>): Route<P, B, Q> {
  return route;
}

function parseQuery<Q>(route: Route<unknown, unknown, Q>, event: HttpEvent): Q {
  const raw = event.queryStringParameters ?? {};
  if (!route.query) {
    if (Object.keys(raw).length) throw new BadRequestError('ValidationFailed', `this route takes no query parameters (got ${Object.keys(raw).join(', ')})`, 'send the request without a query string');
    return {} as Q;
  }
  return route.query.parse(raw);
}

function parseJson(event: HttpEvent): unknown {
  const raw = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new BadRequestError('MalformedJson', `the request body is not valid JSON: ${(err as Error).message}`, 'send a JSON object with Content-Type: application/json');
  }
}

function parseBody<B>(route: Route<unknown, B, unknown>, event: HttpEvent): B {
  const json = parseJson(event);
  if (!route.body) {
    const empty = json === undefined || (typeof json === 'object' && json !== null && !Array.isArray(json) && Object.keys(json).length === 0);
    if (!empty) throw new BadRequestError('ValidationFailed', 'this route takes no request body', 'send no body, or {}');
    return undefined as B;
  }
  if (json === undefined) throw new BadRequestError('ValidationFailed', 'a JSON request body is required', 'see GET /openapi.json for the fields');
  return route.body.parse(json);
}

const reply = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: body === undefined ? {} : { 'content-type': 'application/json' },
  body: body === undefined ? '' : JSON.stringify(body),
});

/**
 * A route as an API Gateway HTTP API (payload 2.0) handler: parse and check
 * the path parameters and the body, run, answer JSON. Every error takes the
 * documented shape; one log line per request, never with the body.
 */
export function httpHandler<P, B, Q>(route: Route<P, B, Q>) {
  return async (event: HttpEvent): Promise<HttpResult> => {
    logger.appendKeys({ route: event.routeKey, requestId: event.requestContext?.requestId });
    try {
      const params = (route.params ? route.params.parse(event.pathParameters ?? {}) : {}) as P;
      const body = parseBody(route as Route<unknown, B, unknown>, event);
      const query = parseQuery(route as Route<unknown, unknown, Q>, event);
      const out = await route.run(apiContext(), { params, body, query });
      logger.info('request', { status: out.status });
      return reply(out.status, out.body);
    } catch (err) {
      const { statusCode, body, fault } = errorResponse(err);
      if (fault) logger.error('request failed', err as Error);
      else logger.info('request refused', { status: statusCode, code: body.error.code });
      return reply(statusCode, body);
    } finally {
      logger.resetKeys();
    }
  };
}
