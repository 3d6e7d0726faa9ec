// The console's SigV4 signer against a server that recomputes the signature
// with an independent implementation (@smithy/signature-v4) from the same credentials.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { signRequest } from '../../console/src/deployed/signRequest.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };
const region = 'eu-west-1';
const verifier = new SignatureV4({ credentials, region, service: 'execute-api', sha256: Sha256, applyChecksum: false });

/** Recomputes the signature of what arrived; 200 when it matches the one sent. */
async function verify(req: IncomingMessage, body: string): Promise<boolean> {
  const sent = String(req.headers.authorization ?? '');
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(sent)?.[1]?.split(';') ?? [];
  const amzDate = String(req.headers['x-amz-date']);
  const url = new URL(req.url!, 'http://placeholder');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = String(req.headers[name]);
  const recomputed = await verifier.sign(
    {
      method: req.method!,
      protocol: 'http:',
      hostname: headers.host!.split(':')[0]!,
      port: Number(headers.host!.split(':')[1]),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    },
    {
      signingDate: new Date(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
      ),
      signableHeaders: new Set(signedHeaders),
    },
  );
  return sent !== '' && recomputed.headers.authorization === sent;
}

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      void verify(req, body).then((ok) => res.writeHead(ok ? 200 : 403).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the console's SigV4 signer", () => {
  it('signs a GET and a POST with a body so that an independent SigV4 implementation accepts them', async () => {
    const get = await signRequest(new Request(`${base}/clusters/c1/upgrades?limit=5`), credentials, region);
    expect(get.headers.get('x-amz-security-token')).toBe('session-token');
    expect((await fetch(get)).status).toBe(200);
    const post = await signRequest(
      new Request(`${base}/clusters/c1/upgrades`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"targetVersion":"1.32.6"}' }),
      credentials,
      region,
    );
    expect((await fetch(post)).status).toBe(200);
  });

  it('is rejected when the body, the path or a signed header is changed after signing', async () => {
    const make = () =>
      signRequest(
        new Request(`${base}/clusters/c1/upgrades`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' }),
        credentials,
        region,
      );
    const body = await make();
    expect((await fetch(new Request(body, { body: '{"a":2}', duplex: 'half' } as RequestInit))).status).toBe(403);
    const path = await make();
    expect((await fetch(new Request(`${base}/clusters/c2/upgrades`, { method: 'POST', headers: path.headers, body: '{"a":1}' }))).status).toBe(403);
    const header = await make();
    const headers = new Headers(header.headers);
    headers.set('x-amz-date', '20200101T000000Z');
    expect((await fetch(new Request(header.url, { method: 'POST', headers, body: '{"a":1}' }))).status).toBe(403);
    // and the untouched one passes
    expect((await fetch(await make())).status).toBe(200);
  });
});
