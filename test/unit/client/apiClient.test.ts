import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, createApiClient, unwrap } from '../../../src/client/apiClient.js';

describe('the typed API client', () => {
  let server: Server;
  let seen: IncomingHttpHeaders = {};
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen = req.headers;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/versions') return res.end(JSON.stringify({ versions: ['1.32.6'] }));
      if (req.url === '/clusters/demo/upgrades/upg-1/resume') {
        res.statusCode = 409;
        return res.end(
          JSON.stringify({
            error: { code: 'Conflict', message: 'cannot resume upgrade upg-1: it is running', remedy: 'only a paused upgrade can be resumed' },
          }),
        );
      }
      res.statusCode = 403;
      res.end(JSON.stringify({ message: 'Forbidden' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the bearer token and returns the typed data', async () => {
    const client = createApiClient({ baseUrl: base, auth: { bearer: 'tok-123' } });
    const data = await unwrap(client.GET('/versions'));
    expect(data.versions).toEqual(['1.32.6']);
    expect(seen.authorization).toBe('Bearer tok-123');
  });

  it("lets a signer sign each request, and turns the API's error shape into an ApiError with its remedy", async () => {
    const client = createApiClient({
      baseUrl: base,
      auth: {
        sign: async (request) => {
          request.headers.set('authorization', 'AWS4-HMAC-SHA256 signed');
          return request;
        },
      },
    });
    const err = await unwrap(
      client.POST('/clusters/{clusterId}/upgrades/{upgradeId}/resume', { params: { path: { clusterId: 'demo', upgradeId: 'upg-1' } } }),
    ).catch((e: unknown) => e);
    expect(seen.authorization).toBe('AWS4-HMAC-SHA256 signed');
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'Conflict', remedy: 'only a paused upgrade can be resumed' });
  });

  it("reads API Gateway's own answers ({message}) too", async () => {
    const client = createApiClient({ baseUrl: base, auth: { bearer: 'x' } });
    const err = await unwrap(client.GET('/clusters')).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403, code: 'Http403', message: 'Forbidden' });
  });
});
