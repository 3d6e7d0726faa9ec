import { ApiException } from '@kubernetes/client-node';
import type { RequestFailure } from '../domain/retryPolicy.js';
import { budgetRefusal } from './drainPass.js';
import { ClusterApiError, ClusterForbiddenError, ClusterTlsError, ClusterUnauthorizedError, ClusterUnreachableError } from './errors.js';

/** The parts of a Kubernetes `Status` error body the driver reads. */
export interface KubeStatus {
  code: number;
  reason?: string;
  message?: string;
  details?: { name?: string; kind?: string; retryAfterSeconds?: number; causes?: { reason?: string; message?: string; field?: string }[] };
}

/** The Status of an API error, or undefined for anything that is not an HTTP answer. */
export function statusOf(e: unknown): KubeStatus | undefined {
  if (!(e instanceof ApiException)) return undefined;
  const code = (e as ApiException<unknown>).code;
  let body: unknown = (e as ApiException<unknown>).body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = { message: body };
    }
  }
  const b = (body ?? {}) as Partial<KubeStatus>;
  return { code, reason: b.reason, message: b.message, details: b.details };
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/i;

function causeChain(e: unknown): { code?: string; message?: string; name?: string }[] {
  const out: { code?: string; message?: string; name?: string }[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    out.push(cur as { code?: string; message?: string; name?: string });
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

/**
 * Turns a client failure into kupgrade's typed cluster errors: transport
 * failures, TLS, timeouts, 401 and 403 each get their own reason and remedy;
 * other HTTP answers become ClusterApiError with the server's Status.
 */
export function toClusterError(e: unknown, server: string): Error {
  const status = statusOf(e);
  if (status) {
    if (status.code === 401) return new ClusterUnauthorizedError(server, status.message ?? 'Unauthorized');
    if (status.code === 403) return new ClusterForbiddenError(server, status.message ?? 'Forbidden');
    return new ClusterApiError(server, status.code, status.reason, status.message ?? 'no message');
  }
  const chain = causeChain(e);
  const tls = chain.find((c) => c.code && TLS_CODES.test(c.code));
  if (tls) return new ClusterTlsError(server, `${tls.code}: ${tls.message ?? ''}`.trim(), e);
  if (chain.some((c) => c.name === 'TimeoutError' || c.name === 'AbortError' || c.code === 'UND_ERR_CONNECT_TIMEOUT' || c.code === 'UND_ERR_HEADERS_TIMEOUT')) {
    return new ClusterUnreachableError(server, 'the request timed out', e);
  }
  const net = chain.find((c) => c.code && /^E[A-Z]+|^UND_ERR/.test(c.code));
  if (net) return new ClusterUnreachableError(server, `${net.code}${net.message ? ` (${net.message})` : ''}`, e);
  if (e instanceof TypeError && /fetch failed/i.test(e.message)) return new ClusterUnreachableError(server, e.message, e);
  return e instanceof Error ? e : new Error(String(e));
}

/** What the retry policy needs to know of a failed request: its status and the server's wait, or the codes of a transport failure. */
export function failureOf(e: unknown): RequestFailure {
  const status = statusOf(e);
  if (status) {
    const headers = (e as ApiException<unknown>).headers ?? {};
    return {
      status: status.code,
      retryAfter: headers['retry-after'] ?? headers['Retry-After'],
      retryAfterSeconds: status.details?.retryAfterSeconds,
      budgetRefusal: budgetRefusal(status) !== undefined,
    };
  }
  const chain = causeChain(e);
  return {
    errorCodes: chain.map((c) => c.code).filter((c): c is string => typeof c === 'string'),
    errorMessages: chain.map((c) => c.message).filter((m): m is string => typeof m === 'string'),
  };
}
