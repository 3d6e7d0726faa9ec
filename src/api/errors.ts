import * as z from 'zod';
import { KupgradeError } from '../domain/errors.js';

export interface ErrorBody {
  error: { code: string; message: string; remedy: string };
}

/** The request itself is wrong: not JSON, a field unknown or malformed (400), a body that is not JSON at all (415). */
export class BadRequestError extends KupgradeError {
  constructor(code: string, message: string, remedy: string) {
    super(code, { message, remedy });
  }
}

/** HTTP status by reason; a cluster the kubeconfig cannot reach is the caller's network path or credentials, hence 422. */
export const STATUS_BY_REASON: Record<string, number> = {
  InvalidRequest: 400,
  MalformedJson: 400,
  ValidationFailed: 400,
  Unauthorized: 401,
  NotFound: 404,
  RouteNotFound: 404,
  Conflict: 409,
  IllegalTransition: 409,
  ClusterUnreachable: 422,
  ClusterTlsFailed: 422,
  ClusterUnauthorized: 422,
  ClusterForbidden: 422,
  ClusterApiError: 422,
  KubeconfigInvalid: 400,
  UnsupportedMediaType: 415,
};

function zodMessage(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const where = i.path.length ? i.path.join('.') : 'body';
      return i.code === 'unrecognized_keys' ? `${where}: unknown field(s) ${i.keys.join(', ')}` : `${where}: ${i.message}`;
    })
    .join('; ');
}

/** Any thrown value as the documented error shape; unknown errors are a 500 that hides the detail (it may hold secrets). */
export function errorResponse(err: unknown): { statusCode: number; body: ErrorBody; fault: boolean } {
  if (err instanceof z.ZodError) {
    return {
      statusCode: 400,
      fault: false,
      body: { error: { code: 'ValidationFailed', message: zodMessage(err), remedy: 'fix the fields named, see GET /openapi.json' } },
    };
  }
  if (err instanceof KupgradeError) {
    const statusCode = STATUS_BY_REASON[err.reason] ?? 500;
    return { statusCode, fault: statusCode >= 500, body: { error: { code: err.reason, message: err.message, remedy: err.remedy } } };
  }
  return {
    statusCode: 500,
    fault: true,
    body: {
      error: {
        code: 'InternalError',
        message: 'kupgrade failed to handle the request',
        remedy: 'retry; if it persists, look for the request id in the function logs',
      },
    },
  };
}
