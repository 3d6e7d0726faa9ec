import type * as z from 'zod';
import { apiContext, type ApiContext } from './context.js';
import { BadRequestError, errorResponse } from './errors.js';
import type { HttpEvent, HttpResult } from './httpEvent.js';
import { apiLogger as logger } from './logger.js';

interface ApiResult {
  status: number;
  body?: unknown;
}

/**
 * One route: what the OpenAPI document says of it, the schemas its input is
 * parsed with, and what it does. Its method and path are serverless.yml's
 * (the function of the same name); src/api/routeTable.ts keys the routes by
 * that name.
 */
export interface Route<P, B, Q = Record<string, never>> {
  summary: string;
  /** the status of a success */
  status: number;
  /** the body of a success; none for a 204 */
  response?: z.ZodType;
  /** the 4xx answers the route documents besides 400 and 401 */
  errors: number[];
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
    if (Object.keys(raw).length)
      throw new BadRequestError(
        'ValidationFailed',
        `this route takes no query parameters (got ${Object.keys(raw).join(', ')})`,
        'send the request without a query string',
      );
    return {} as Q;
  }
  return route.query.parse(raw);
}

/** application/json, or a +json type, with any parameters (charset=utf-8). */
const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;.*)?$/i;

function parseJson(event: HttpEvent): unknown {
  const raw = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (raw === undefined || raw.trim() === '') return undefined;
  const type = event.headers?.['content-type'] ?? event.headers?.['Content-Type'];
  if (type !== undefined && !JSON_TYPE.test(type)) {
    throw new BadRequestError('UnsupportedMediaType', `the request body is ${type}, not JSON`, 'send the body as JSON with Content-Type: application/json');
  }
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new BadRequestError(
      'MalformedJson',
      `the request body is not valid JSON: ${(err as Error).message}`,
      'send a JSON object with Content-Type: application/json',
    );
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

/** The caller API Gateway authenticated (IAM), as the local server names its tokens in the same place. */
function callerOf(event: HttpEvent): string | undefined {
  return event.requestContext?.authorizer?.iam?.userArn;
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
 * `deployed` builds the function's context on its first request, unless the
 * local stack or a test installed one (setApiContext).
 */
export function httpHandler<P, B, Q>(route: Route<P, B, Q>, deployed?: () => ApiContext) {
  return async (event: HttpEvent): Promise<HttpResult> => {
    logger.appendKeys({ route: event.routeKey, requestId: event.requestContext?.requestId });
    try {
      const params = (route.params ? route.params.parse(event.pathParameters ?? {}) : {}) as P;
      const body = parseBody(route as Route<unknown, B, unknown>, event);
      const query = parseQuery(route as Route<unknown, unknown, Q>, event);
      const out = await route.run({ ...apiContext(deployed), caller: callerOf(event) }, { params, body, query });
      // an access line per request: at debug, so the log at info is the state changes
      logger.debug('request', { status: out.status });
      return reply(out.status, out.body);
    } catch (err) {
      const { statusCode, body, fault } = errorResponse(err);
      if (fault) logger.error('request failed', err as Error);
      else logger.debug('request refused', { status: statusCode, code: body.error.code });
      return reply(statusCode, body);
    } finally {
      logger.resetKeys();
    }
  };
}
