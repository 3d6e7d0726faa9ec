// Fuzz: requests generated across every route of docs/openapi.json (wrong types,
// missing and extra fields, huge and unicode strings, bad ids, wrong content
// types, bodies up to 10 MB) against the local HTTP server: none is answered
// 5xx, none changes the store, every error has the documented shape.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/localStack.js';
import { scanAll } from './childStack.js';

const TOKEN = 'fuzz-token-0123456789abcdef';
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1000);

let dataDir: string;
let stack: LocalStack;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kupgrade-fuzz-'));
  stack = await startLocalStack({
    dataDir,
    pollMs: 50,
    demo: { masters: 1, workers: 3, version: '1.31.4', upgradeMs: 100 },
    http: { port: 0, token: TOKEN },
  });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

interface Operation {
  method: string;
  path: string;
}

const huge = (n: number) => 'x'.repeat(n);
/** ids a route must refuse or not find: malformed, unicode, huge, traversal, encoded */
const badId = fc.oneof(
  fc.constantFrom('nope', 'NOPE', '-x', 'a'.repeat(41), 'a'.repeat(65), '..', '%2e%2e', 'été', '💥', 'a b', '%00', '%ZZ', 'demo%2F..', huge(5000)),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
);
/** a JSON value of the wrong shape, or a near-valid body with an extra field (the schemas are strict, so nothing passes) */
const badBody = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.record({ targetVersion: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), extra: fc.anything({ maxDepth: 1 }) }),
  fc.record({ targetVersion: fc.constantFrom('1.32.6', '1.31.9'), startAt: fc.string(), __fuzz: fc.constant(true) }),
  fc.record({ name: fc.string({ unit: 'grapheme', maxLength: 50 }), kubeconfig: fc.oneof(fc.integer(), fc.constant(''), fc.string()), __fuzz: fc.constant(1) }),
  fc.record({ maintenanceWindow: fc.anything({ maxDepth: 2 }), __fuzz: fc.constant(1) }),
  fc.constant({}),
);
const rawBody = fc.oneof(
  badBody.map((b) => JSON.stringify(b) ?? 'null'),
  fc.constantFrom('{', '[1,', 'not json', '\u0000\u0001', '{"targetVersion":', '<xml/>', ''),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(1 << 16, 1 << 20, 2 << 20, 10 << 20).map((n) => JSON.stringify({ targetVersion: huge(n) })),
);
const contentType = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  '',
  'multipart/form-data',
);
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?limit=0',
    '?limit=-1',
    '?limit=abc',
    '?limit=1e9',
    '?cursor=%00',
    '?cursor=' + huge(600),
    '?extra=1',
    '?limit=5&limit=6',
    '?cursor=RVZFTlQ',
  ),
);

describe(`${REQUESTS} generated requests across every route`, () => {
  it('are never answered 5xx, change nothing, and every error is {error: {code, message, remedy}}', async () => {
    const doc = JSON.parse(await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const ops: Operation[] = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path })));
    const before = await scanAll(stack.db);
    const request = fc.record({
      op: fc.constantFrom(...ops),
      // the demo cluster only where the request is refused anyway (a bad body, an unknown upgrade); a DELETE never gets it
      clusterId: fc.oneof(badId, fc.constant('demo')),
      otherId: badId,
      body: fc.option(rawBody, { nil: undefined }),
      contentType,
      query,
      method: fc.option(fc.constantFrom('PATCH', 'PUT', 'DELETE', 'POST', 'GET'), { nil: undefined, freq: 4 }),
    });
    const samples = fc.sample(request, { numRuns: REQUESTS, seed: Number(process.env.FUZZ_SEED ?? 24) });
    const problems: string[] = [];
    let i = 0;
    const one = async (r: (typeof samples)[number]) => {
      const method = r.method ?? r.op.method;
      const clusterId = method === 'DELETE' && r.clusterId === 'demo' ? 'nope' : r.clusterId;
      // a valid-looking body never reaches a write with the demo cluster: an extra field makes every strict schema refuse it
      const body =
        clusterId === 'demo' && method !== 'GET' && r.body !== undefined && /^\{.*\}$/s.test(r.body) ? r.body.replace(/^\{/, '{"__fuzz":1,') : r.body;
      const path = r.op.path.replace('{clusterId}', clusterId).replace(/\{(upgradeId|checkId)\}/, r.otherId) + r.query;
      const res = await fetch(stack.api!.url + path, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(r.contentType ? { 'content-type': r.contentType } : {}) },
        body: method === 'GET' || method === 'HEAD' ? undefined : (body ?? (clusterId === 'demo' ? '{"__fuzz":1}' : undefined)),
      }).catch((e: Error) => ({ status: 0, text: () => Promise.resolve(e.message), headers: new Headers() }) as unknown as Response);
      const text = await res.text();
      const where = `${method} ${path.slice(0, 120)} (${r.contentType}, ${body?.length ?? 0} bytes)`;
      if (res.status === 0 || res.status >= 500) problems.push(`${where} → ${res.status} ${text.slice(0, 200)}`);
      if (res.status >= 400) {
        let parsed: { error?: { code?: unknown; message?: unknown; remedy?: unknown } } | undefined;
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {
          parsed = undefined;
        }
        const e = parsed?.error;
        if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' || typeof e.remedy !== 'string')
          problems.push(`${where} → ${res.status} not in the error shape: ${text.slice(0, 200)}`);
      }
      i++;
    };
    // two clients at a time, as a busy user would be
    const queue = [...samples];
    await Promise.all(
      [0, 1].map(async () => {
        for (let r = queue.shift(); r; r = queue.shift()) await one(r);
      }),
    );
    expect(i).toBe(REQUESTS);
    expect(problems).toEqual([]);
    expect(await scanAll(stack.db)).toEqual(before);
  });
});
