import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:https';
import { startKubeSim, type KubeObject, type KubeSim } from '../../local/kube-sim/index.js';

const names = (items: KubeObject[]) => items.map((o) => o.metadata.name);
const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { taints: [{ key: 'x', effect: 'NoSchedule' }] } });

describe('kube-sim: lists in pages (limit, continue) and resourceVersion semantics', () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 4, upgradeMs: 50, rescheduleMs: 20, workload: 'none' });
  });
  afterAll(() => sim?.close());

  const get = async (path: string) => {
    const r = await sim.request('GET', path);
    expect([path, r.status]).toEqual([path, 200]);
    return r.body;
  };

  it('pages with limit and continue, counting what remains, all at the revision of the first page', async () => {
    const first = await get('/api/v1/nodes?limit=2');
    expect(names(first.items)).toEqual(['master-1', 'worker-1']);
    expect(first.metadata).toEqual({ resourceVersion: expect.any(String), continue: expect.any(String), remainingItemCount: 3 });
    // the token is the etcd3 store's: base64url JSON of the revision and the key to start at
    expect(JSON.parse(Buffer.from(first.metadata.continue, 'base64url').toString())).toEqual({
      v: 'meta.k8s.io/v1',
      rv: Number(first.metadata.resourceVersion),
      start: 'worker-1\u0000',
    });

    // a node added and one deleted between the pages: the rest of the list is still the old one
    expect((await sim.request('POST', '/api/v1/nodes', node('worker-25'))).status).toBe(201);
    expect((await sim.request('DELETE', '/api/v1/nodes/worker-3')).status).toBe(200);
    const second = await get(`/api/v1/nodes?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`);
    expect(names(second.items)).toEqual(['worker-2', 'worker-3']);
    expect(second.metadata).toMatchObject({ resourceVersion: first.metadata.resourceVersion, remainingItemCount: 1 });
    const third = await get(`/api/v1/nodes?limit=2&continue=${encodeURIComponent(second.metadata.continue)}`);
    expect(names(third.items)).toEqual(['worker-4']);
    expect(third.metadata).toEqual({ resourceVersion: first.metadata.resourceVersion });

    // a new list sees the present
    expect(names((await get('/api/v1/nodes')).items)).toEqual(['master-1', 'worker-1', 'worker-2', 'worker-25', 'worker-4']);
  });

  it('pages across namespaces in key order, and leaves remainingItemCount out when a selector narrows the list', async () => {
    for (const name of ['p-b', 'p-a', 'p-c']) {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'pause' }] } };
      expect((await sim.request('POST', '/api/v1/namespaces/default/pods', pod)).status).toBe(201);
    }
    const all = (await get('/api/v1/pods')).items as KubeObject[];
    const keys = all.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(keys).toEqual([...keys].sort());
    const seen: string[] = [];
    let cont = '';
    let requests = 0;
    do {
      const page = await get(`/api/v1/pods?limit=3&labelSelector=k8s-app%21%3Dnone${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      requests++;
      expect(page.metadata.remainingItemCount).toBeUndefined();
      seen.push(...page.items.map((p: KubeObject) => `${p.metadata.namespace}/${p.metadata.name}`));
      cont = page.metadata.continue ?? '';
    } while (cont);
    expect(seen).toEqual(keys);
    expect(requests).toBe(Math.ceil(keys.length / 3));
  });

  it('answers a compacted continue token with 410 Expired and a token to carry on inconsistently', async () => {
    const first = await get('/api/v1/nodes?limit=1');
    await sim.request('PATCH', '/api/v1/nodes/worker-1', { metadata: { labels: { moved: 'on' } } }, { contentType: 'application/merge-patch+json' });
    sim.compact();
    const r = await sim.request('GET', `/api/v1/nodes?limit=1&continue=${encodeURIComponent(first.metadata.continue)}`);
    expect(r.status).toBe(410);
    expect(r.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: { continue: expect.any(String) },
      status: 'Failure',
      message: expect.stringMatching(/^The provided continue parameter is too old to display a consistent list result\. .*may show up in the list\.$/),
      reason: 'Expired',
      code: 410,
    });
    const carryOn = JSON.parse(Buffer.from(r.body.metadata.continue, 'base64url').toString());
    expect(carryOn).toEqual({ v: 'meta.k8s.io/v1', rv: -1, start: 'master-1\u0000' });
    const rest = await get(`/api/v1/nodes?limit=10&continue=${encodeURIComponent(r.body.metadata.continue)}`);
    expect(names(rest.items)[0]).toBe('worker-1');
    expect(rest.items[0].metadata.labels.moved).toBe('on');
  });

  it('serves resourceVersion=0 from the "cache" (limit ignored), Exact at an old revision, and refuses what the API refuses', async () => {
    const all = await get('/api/v1/nodes');
    const any = await get('/api/v1/nodes?resourceVersion=0&limit=1');
    expect(any.items).toHaveLength(all.items.length);
    expect(any.metadata.continue).toBeUndefined();

    const rv = all.metadata.resourceVersion;
    await sim.request('PATCH', '/api/v1/nodes/worker-2', { metadata: { labels: { later: 'yes' } } }, { contentType: 'application/merge-patch+json' });
    const exact = await get(`/api/v1/nodes?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    expect(exact.metadata.resourceVersion).toBe(rv);
    expect(exact.items.find((n: KubeObject) => n.metadata.name === 'worker-2').metadata.labels.later).toBeUndefined();
    const notOlder = await get(`/api/v1/nodes?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`);
    expect(notOlder.items.find((n: KubeObject) => n.metadata.name === 'worker-2').metadata.labels.later).toBe('yes');

    const future = await sim.request('GET', `/api/v1/nodes?resourceVersion=${Number(sim.objects('nodes')[0]!.metadata.resourceVersion) + 10_000}`);
    expect(future.status).toBe(504);
    expect(future.body).toMatchObject({
      reason: 'Timeout',
      message: expect.stringContaining('Too large resource version'),
      details: { causes: [{ reason: 'ResourceVersionTooLarge' }] },
    });
    const noRv = await sim.request('GET', '/api/v1/nodes?resourceVersionMatch=NotOlderThan');
    expect(noRv.status).toBe(422);
    expect(noRv.body.message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    );
    const both = await sim.request(
      'GET',
      `/api/v1/nodes?limit=1&continue=${encodeURIComponent(any.metadata.continue ?? (await get('/api/v1/nodes?limit=1')).metadata.continue)}&resourceVersion=5`,
    );
    expect([both.status, both.body.message]).toEqual([400, 'specifying resource version is not allowed when using continue']);
    const bad = await sim.request('GET', '/api/v1/nodes?limit=1&continue=not-a-token');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^invalid continue token: continue key is not valid/);
    sim.compact();
    const gone = await sim.request('GET', `/api/v1/nodes?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    expect([gone.status, gone.body.reason, gone.body.message]).toEqual([410, 'Expired', 'The resourceVersion for the provided list is too old.']);
  });

  it('carries continue and remainingItemCount into server-side printed Tables', async () => {
    const list = await get('/api/v1/nodes?limit=2');
    // kubectl get asks for a Table with this Accept header
    const table = await new Promise<{ metadata: Record<string, unknown>; rows: unknown[] }>((resolve, reject) => {
      const req = request(new URL('/api/v1/nodes?limit=2', sim.url), {
        ca: sim.caCert,
        headers: { Authorization: `Bearer ${sim.token}`, Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(JSON.parse(text)));
      });
      req.on('error', reject);
      req.end();
    });
    expect(table.rows).toHaveLength(2);
    expect(table.metadata).toEqual({ resourceVersion: expect.any(String), continue: expect.any(String), remainingItemCount: list.metadata.remainingItemCount });
  });
});
