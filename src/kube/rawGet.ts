import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { toClusterError } from './k8sErrors.js';
import type { Retry } from './retrying.js';

export interface RawResponse {
  status: number;
  body: string;
  /** the Retry-After header, when there was one */
  retryAfter?: string;
}

export type RawGet = (path: string) => Promise<RawResponse>;

/**
 * GETs of paths the typed clients do not cover (/readyz?verbose, a kubelet's
 * configz through the node proxy), with the kubeconfig's TLS and credentials.
 * The credentials are resolved once, so one snapshot reuses one connection
 * pool. A 429, a 5xx or a dropped connection is tried again as the driver's
 * other requests are; then any HTTP answer is returned, and transport failures
 * become cluster errors.
 */
export function createRawGet(kc: KubeConfig, timeoutMs: number, retry: Retry): RawGet {
  const server = (kc.getCurrentCluster()?.server ?? '').replace(/\/+$/, '');
  let prepared: Promise<RequestOptions> | undefined;
  const options = () =>
    (prepared ??= (async () => {
      const o: RequestOptions = { method: 'GET', headers: { Accept: 'application/json, text/plain' } };
      await kc.applyToHTTPSOptions(o);
      return o;
    })());

  return async (path) => {
    const base = await options();
    const url = new URL(server + path);
    const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
    try {
      return await retry(
        () =>
          new Promise<RawResponse>((resolve, reject) => {
            const req = request(url, { ...base, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
              const chunks: Buffer[] = [];
              const retryAfter = res.headers['retry-after'];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ...(retryAfter ? { retryAfter } : {}) }),
              );
              res.on('error', reject);
            });
            req.on('error', reject);
            req.end();
          }),
        (r) => ({ status: r.status, retryAfter: r.retryAfter }),
      );
    } catch (e) {
      throw toClusterError(e, server);
    }
  };
}

/** The message of a Kubernetes Status body, or the start of a text body. */
export function rawMessage(r: RawResponse): string {
  try {
    const m = (JSON.parse(r.body) as { message?: string }).message;
    if (m) return `HTTP ${r.status}: ${m}`;
  } catch {
    // not JSON: fall through to the text itself
  }
  return `HTTP ${r.status}: ${r.body.trim().slice(0, 200) || 'no body'}`;
}
