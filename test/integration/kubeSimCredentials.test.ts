import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, statSync } from 'node:fs';
import { startKubeSim, type KubeSim } from '../../local/kube-sim/index.js';
import { ClusterUnauthorizedError } from '../../src/kube/errors.js';
import { createKubernetesDriver } from '../../src/kube/k8sDriver.js';

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp?: number; sub: string };
const MERGE = { contentType: 'application/merge-patch+json' };

describe('kube-sim: credentials and the audit of writes', () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 1, upgradeMs: 50, rescheduleMs: 20, workload: 'none' });
  });
  afterAll(() => sim?.close());

  it('issues tokens by name, each with its own kubeconfig for the same cluster, and records who wrote what', async () => {
    const ops = sim.issueToken({ name: 'operator' });
    expect(claimsOf(ops.token)).toMatchObject({ sub: 'operator' });
    expect(claimsOf(ops.token).exp).toBeUndefined();
    expect(ops.kubeconfig).toContain(sim.url);
    expect(readFileSync(ops.kubeconfigPath!, 'utf8')).toBe(ops.kubeconfig);
    expect(statSync(ops.kubeconfigPath!).mode & 0o777).toBe(0o600);

    const asOperator = createKubernetesDriver(ops.kubeconfig);
    expect(await asOperator.cordon('worker-1', 'upg-audit')).toEqual({ cordonedByUs: true });
    const before = sim.audit.length;
    await sim.request('PATCH', '/api/v1/nodes/worker-1', { metadata: { labels: { by: 'admin' } } }, MERGE);
    await sim.request(
      'POST',
      '/api/v1/namespaces/default/pods',
      { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      { token: ops.token },
    );
    await sim.request('DELETE', '/api/v1/namespaces/default/pods/nope', undefined, { token: ops.token });
    await sim.request('GET', '/api/v1/nodes', undefined, { token: ops.token });

    expect(sim.audit.find((a) => a.credential === 'operator' && a.verb === 'patch')).toMatchObject({ resource: 'nodes', name: 'worker-1', code: 200 });
    expect(sim.audit.slice(before).map(({ at: _at, ...a }) => a)).toEqual([
      { credential: 'admin', verb: 'patch', resource: 'nodes', name: 'worker-1', code: 200 },
      { credential: 'operator', verb: 'create', resource: 'pods', namespace: 'default', name: 'p', code: 201 },
      { credential: 'operator', verb: 'delete', resource: 'pods', namespace: 'default', name: 'nope', code: 404 },
    ]);
    expect(sim.audit.at(-1)!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await asOperator.uncordon('worker-1', 'upg-audit')).toBe(true);
  });

  it('answers 401 once a token has expired, or its credential is revoked; the default token keeps working', async () => {
    const short = sim.issueToken({ name: 'short-lived', expiresInSeconds: 1 });
    const exp = claimsOf(short.token).exp!;
    expect(exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(1);
    expect((await sim.request('GET', '/api/v1/nodes', undefined, { token: short.token })).status).toBe(200);
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 20));
    const expired = await sim.request('GET', '/api/v1/nodes', undefined, { token: short.token });
    expect([expired.status, expired.body.reason]).toEqual([401, 'Unauthorized']);

    const kept = sim.issueToken({ name: 'revoked' });
    const driver = createKubernetesDriver(kept.kubeconfig);
    expect(await driver.listNodes()).toHaveLength(2);
    expect(sim.revokeToken('revoked')).toBe(1);
    await expect(driver.listNodes()).rejects.toBeInstanceOf(ClusterUnauthorizedError);
    const denied = await sim.request('PATCH', '/api/v1/nodes/worker-1', { metadata: { labels: { x: 'y' } } }, { ...MERGE, token: kept.token });
    expect(denied.status).toBe(401);
    expect(sim.audit.at(-1)).toMatchObject({ credential: null, verb: 'patch', code: 401 });

    // a forged token (another key) authenticates nobody either
    const [h, p] = kept.token.split('.');
    expect((await sim.request('GET', '/api/v1/nodes', undefined, { token: `${h}.${p}.${Buffer.from('forged').toString('base64url')}` })).status).toBe(401);
    expect((await createKubernetesDriver(sim.kubeconfig).listNodes()).length).toBe(2);
  });
});
