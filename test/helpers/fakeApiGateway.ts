import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An IAM principal's keys, as API Gateway's IAM authorizer knows them. */
export interface GatewayKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SeenRequest {
  method: string;
  path: string;
  accessKeyId?: string;
  region?: string;
  service?: string;
  sessionToken?: string;
  signedHeaders: string[];
  /** the body's SHA-256, hex: what the signature covered */
  bodySha256: string;
  /** why it was refused (403), or undefined when the signature held */
  refused?: string;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => resolve(body));
  });

/** 20250607T010203Z → a Date */
const amzDate = (v: string) => new Date(`${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}T${v.slice(9, 11)}:${v.slice(11, 13)}:${v.slice(13, 15)}Z`);

/**
 * What API Gateway's IAM authorization does before a request reaches kupgrade,
 * on this machine: the SigV4 signature of each request is computed again from the
 * principal's secret (@smithy/signature-v4, the region and service of the scope,
 * the session token, the SHA-256 of the body as received) and compared; a request
 * that does not match is a 403 in API Gateway's own shape, `{message}`. The others
 * go on to `forward` (the local stack).
 */
export async function startFakeApiGateway(options: {
  region: string;
  keys: GatewayKey[];
  forward: (method: string, pathAndQuery: string, body: string) => Promise<{ status: number; body: string }>;
}) {
  const seen: SeenRequest[] = [];

  async function verify(req: IncomingMessage, url: URL, body: string, record: SeenRequest): Promise<string | undefined> {
    const m = AUTH.exec(String(req.headers.authorization ?? ''));
    if (!m) return 'Missing Authentication Token';
    const [, accessKeyId, day, region, service, signedHeaders, signature] = m;
    Object.assign(record, { accessKeyId, region, service, signedHeaders: signedHeaders!.split(';') });
    const key = options.keys.find((k) => k.accessKeyId === accessKeyId);
    if (!key) return 'The security token included in the request is invalid.';
    if (region !== options.region) return `Credential should be scoped to a valid region, not '${region}'.`;
    if (service !== 'execute-api') return `Credential should be scoped to correct service: 'execute-api'.`;
    const token = req.headers['x-amz-security-token'] as string | undefined;
    record.sessionToken = token;
    if (token !== key.sessionToken) return 'The security token included in the request is invalid.';
    const date = String(req.headers['x-amz-date'] ?? '');
    if (!date.startsWith(day!) || Math.abs(amzDate(date).getTime() - Date.now()) > 5 * 60_000) return 'Signature expired or not yet valid.';
    const claimedHash = req.headers['x-amz-content-sha256'];
    if (claimedHash !== undefined && claimedHash !== record.bodySha256) return 'The provided x-amz-content-sha256 header does not match what was computed.';

    // the request as it arrived, its signed headers only; the payload hash is computed from the body itself
    const names = record.signedHeaders.filter((h) => h !== 'x-amz-content-sha256');
    const headers = Object.fromEntries(names.map((h) => [h, String(req.headers[h] ?? '')]));
    const signer = new SignatureV4({
      credentials: key,
      region: options.region,
      service: 'execute-api',
      sha256: Sha256,
      applyChecksum: claimedHash !== undefined,
    });
    const expected = await signer.sign(
      {
        method: req.method!,
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body,
      },
      { signingDate: amzDate(date) },
    );
    const recomputed = /Signature=([0-9a-f]{64})/.exec(expected.headers.authorization ?? '')?.[1];
    return recomputed === signature
      ? undefined
      : 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.';
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url!, `http://${req.headers.host}`);
      const body = await readBody(req);
      const record: SeenRequest = { method: req.method!, path: url.pathname, signedHeaders: [], bodySha256: createHash('sha256').update(body).digest('hex') };
      seen.push(record);
      record.refused = await verify(req, url, body, record);
      if (record.refused) {
        res.writeHead(403, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ message: record.refused }));
      }
      const answer = await options.forward(req.method!, url.pathname + url.search, body);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
