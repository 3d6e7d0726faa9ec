import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { toClusterError } from './k8sErrors.js';

export interface RawResponse {
  status: number;
  body: string;
}

export type RawGet = (path: string) => Promise<RawResponse>;

/**
 * GETs of paths the typed clients do not cover (/readyz?verbose, a kubelet's
 * configz through the node proxy), with the kubeconfig's TLS and credentials.
 * The credentials are resolved once, so one snapshot reuses one connection
 * pool. Any HTTP answer is returned; transport failures become cluster errors.
 */
export function createRawGet(kc: KubeConfig, timeoutMs: number): RawGet {
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
      return await new Promise<RawResponse>((resolve, reject) => {
        const req = request(url, { ...base, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
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
