import { request } from 'node:https';

export interface SimResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** the parsed JSON body (or the text when it is not JSON) */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read any field of any Kubernetes object; typing each would be a second schema
  body: any;
}

/**
 * A raw HTTPS call to the simulated API server, verifying its CA; for tests
 * that need to shape the cluster (a zero-budget PDB, a NotReady node) or read
 * exact Status bodies. `token: null` sends no Authorization header.
 */
export function simRequest(
  target: { url: string; caCert: string; token: string },
  method: string,
  path: string,
  body?: unknown,
  options: { contentType?: string; token?: string | null } = {},
): Promise<SimResponse> {
  const token = options.token === undefined ? target.token : options.token;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, target.url),
      {
        method,
        ca: target.caCert,
        headers: {
          Accept: 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(payload !== undefined ? { 'Content-Type': options.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // plain text (readyz)
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
