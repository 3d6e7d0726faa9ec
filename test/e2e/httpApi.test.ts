// Black box: the local stack runs as `npm start` does, in a child process, and
// this test talks to it only over HTTP (reading the store directly only to
// show that a refused request changed nothing).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeSim, type KubeSim } from '../../local/kube-sim/index.js';
import { OPERATIONS } from '../../src/api/operations.js';
import { call, scanAll, startChildStack, stopChildStack, until, type ChildStack } from './childStack.js';

let stack: ChildStack;
let dataDir: string;
const sims: KubeSim[] = [];
let api: (method: string, path: string, body?: unknown, opts?: Parameters<typeof call>[4]) => ReturnType<typeof call>;

async function register(name: string, version: string, workers: number): Promise<KubeSim> {
  const sim = await startKubeSim({ masters: 3, workers, version, upgradeMs: 150, rescheduleMs: 20 });
  sims.push(sim);
  const res = await api('POST', '/clusters', { name, kubeconfig: sim.kubeconfig });
  expect([res.status, res.body.version, res.body.nodes.length]).toEqual([201, version, 3 + workers]);
  // The kubeconfig is a 0600 secret file, and is never returned or logged.
  expect(JSON.stringify(res.body)).not.toContain(sim.token);
  expect((await stat(join(dataDir, 'secrets', `${name}.kubeconfig`))).mode & 0o777).toBe(0o600);
  expect(stack.output()).not.toContain(sim.token);
  return sim;
}

const getUpgrade = (cluster: string, id: string) => api('GET', `/clusters/${cluster}/upgrades/${id}`).then((r) => r.body);

/** Sends a request that must be refused, and shows the table is the same before and after. */
async function refused(method: string, path: string, body: unknown, status: number, code: string, raw?: string): Promise<void> {
  const before = await scanAll(stack.db);
  const res = await api(method, path, body, { raw });
  expect([method, path, res.status, res.body?.error?.code]).toEqual([method, path, status, code]);
  expect(typeof res.body.error.message).toBe('string');
  expect(typeof res.body.error.remedy).toBe('string');
  expect(await scanAll(stack.db)).toEqual(before);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kupgrade-e2e-'));
  stack = await startChildStack(dataDir, { KUPGRADE_DEMO_UPGRADE_SECONDS: '0.2' });
  api = (method, path, body, opts) => call(stack.url, method, path, body, opts);
}, 90_000);

afterAll(async () => {
  await stopChildStack(stack);
  await Promise.all(sims.map((s) => s.close()));
  await rm(dataDir, { recursive: true, force: true });
});

describe('the local stack over HTTP', () => {
  it('answers 401 on every route without a token, or with a wrong one, and changes nothing', async () => {
    const before = await scanAll(stack.db);
    for (const op of OPERATIONS) {
      const path = op.path.replace('{clusterId}', 'demo').replace('{upgradeId}', 'upg-x').replace('{checkId}', 'chk-x');
      const body = op.method === 'POST' ? { targetVersion: '1.32.6' } : undefined;
      expect([op.fn, (await api(op.method, path, body, { token: null })).status]).toEqual([op.fn, 401]);
      expect([op.fn, (await api(op.method, path, body, { token: 'wrong-token-0123456789' })).status]).toEqual([op.fn, 401]);
    }
    expect(await scanAll(stack.db)).toEqual(before);
  });

  it('serves the demo cluster, the versions and an OpenAPI 3.1 document of every route', async () => {
    const clusters = (await api('GET', '/clusters')).body.clusters;
    expect(clusters).toContainEqual(expect.objectContaining({ id: 'demo', version: '1.31.4', availableUpgrades: ['1.31.10', '1.32.6'], upgrade: null }));
    const demo = (await api('GET', '/clusters/demo')).body;
    expect(demo.nodes.filter((n: { role: string }) => n.role === 'master')).toHaveLength(3);
    expect(demo.nodes.filter((n: { role: string }) => n.role === 'worker')).toHaveLength(10);
    expect((await api('GET', '/versions')).body.versions).toEqual(['1.29.15', '1.30.14', '1.31.10', '1.32.6']);
    const doc = (await api('GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    for (const op of OPERATIONS) expect(doc.paths[op.path][op.method.toLowerCase()].operationId).toBe(op.fn);
  });

  it('registers a cluster, checks it, upgrades it with a pause and a resume, and reports every step', async () => {
    // Prepare
    await register('alpha', '1.31.4', 10);
    expect((await api('GET', '/clusters/alpha')).body).toMatchObject({ version: '1.31.4', availableUpgrades: ['1.31.10', '1.32.6'] });

    // Act: the check alone
    const check = await api('POST', '/clusters/alpha/checks', { targetVersion: '1.32.6' });
    expect(check.status).toBe(202);
    const report = await until(
      () => api('GET', `/clusters/alpha/checks/${check.body.id}`).then((r) => r.body),
      (c) => c.status !== 'running',
    );
    expect(report.status).toBe('passed');
    expect(report.results.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['api-server', 'target-version', 'nodes-ready']));

    // Act: the upgrade, watched until the second worker batch runs
    const started = await api('POST', '/clusters/alpha/upgrades', { targetVersion: '1.32.6' });
    expect([started.status, started.body.status]).toEqual([202, 'running']);
    const id: string = started.body.id;
    const currents: number[] = [];
    const upgraded: number[] = [];
    const watch = (u: any) => {
      if (u.masters.current !== null && currents.at(-1) !== u.masters.current) currents.push(u.masters.current);
      if (upgraded.at(-1) !== u.nodes.upgraded) upgraded.push(u.nodes.upgraded);
    };
    await until(
      () => getUpgrade('alpha', id),
      (u) => (watch(u), u.batches.length >= 2 && u.batches.at(-1).status === 'running'),
    );
    expect(currents).toEqual([1, 2, 3]);

    // A second upgrade and a cancel while it runs are refused, and change neither the cluster nor the upgrade.
    const second = await api('POST', '/clusters/alpha/upgrades', { targetVersion: '1.32.6' });
    expect([second.status, second.body.error.code]).toEqual([409, 'Conflict']);
    const cancelRunning = await api('POST', `/clusters/alpha/upgrades/${id}/cancel`);
    expect([cancelRunning.status, cancelRunning.body.error.code]).toEqual([409, 'Conflict']);
    expect((await api('GET', '/clusters/alpha/upgrades')).body.upgrades.map((u: { id: string }) => u.id)).toEqual([id]);
    // The upgrade moves on while it runs, so the store is read back for what a cancel would have written.
    const items = await scanAll(stack.db);
    expect(items.find((i) => i.pk === 'CLUSTER#alpha' && i.sk === `UPGRADE#${id}`)).toMatchObject({ status: 'running', cancelRequested: false });
    expect(items.filter((i) => i.pk === `UPGRADE#${id}` && ['CancelRequested', 'UpgradeCancelled'].includes(i.type as string))).toEqual([]);

    // Act: pause
    const pausing = await api('POST', `/clusters/alpha/upgrades/${id}/pause`);
    expect([pausing.status, pausing.body.status]).toEqual([202, 'pausing']);
    const paused = await until(
      () => getUpgrade('alpha', id),
      (u) => (watch(u), u.status === 'paused'),
    );
    expect(paused.expiresAt).toEqual(expect.any(String));
    expect(Date.parse(paused.expiresAt)).toBeGreaterThan(Date.now());
    expect((await api('GET', '/clusters')).body.clusters).toContainEqual(
      expect.objectContaining({ id: 'alpha', upgrade: { id, status: 'paused', phase: 'nodes' } }),
    );

    // Pausing also gives the upgrade's events its TTL, just after the status write: let that settle first.
    await until(
      () => scanAll(stack.db),
      (all) => all.filter((i) => i.pk === `UPGRADE#${id}` && String(i.sk).startsWith('EVENT#')).every((i) => i.expiresAt !== undefined),
    );
    // Refused while paused: nothing changes.
    await refused('POST', `/clusters/alpha/upgrades/${id}/pause`, undefined, 409, 'Conflict');
    await refused('POST', '/clusters/alpha/upgrades', { targetVersion: '1.32.6' }, 409, 'Conflict');
    await refused('POST', `/clusters/alpha/upgrades/${id}/resume`, { force: true }, 400, 'ValidationFailed');
    await refused('DELETE', '/clusters/alpha', undefined, 409, 'Conflict');

    // Act: resume, watched to the end
    const resumed = await api('POST', `/clusters/alpha/upgrades/${id}/resume`);
    expect([resumed.status, resumed.body.status, resumed.body.expiresAt]).toEqual([202, 'running', null]);
    const done = await until(
      () => getUpgrade('alpha', id),
      (u) => (watch(u), u.status !== 'running'),
    );

    // Assess
    expect(done).toMatchObject({ status: 'succeeded', phase: 'done', masters: { total: 3, upgraded: 3, current: null }, nodes: { total: 10, upgraded: 10 } });
    expect(upgraded.length).toBeGreaterThan(2);
    expect(upgraded).toEqual([...upgraded].sort((a, b) => a - b));
    expect(upgraded.at(-1)).toBe(10);
    const after = (await api('GET', '/clusters/alpha')).body;
    expect(after.version).toBe('1.32.6');
    expect(after.nodes.every((n: { version: string; unschedulable: boolean }) => n.version === '1.32.6' && !n.unschedulable)).toBe(true);
    const events = (await api('GET', `/clusters/alpha/upgrades/${id}/events`)).body.events;
    const types = events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['UpgradeCreated', 'PrecheckPassed', 'PauseRequested', 'UpgradeResumed']));
    expect(types.indexOf('PauseRequested')).toBeLessThan(types.indexOf('UpgradeResumed'));
    expect(events.map((e: { at: string }) => e.at)).toEqual(events.map((e: { at: string }) => e.at).sort());
  });

  it('pauses and cancels an upgrade on a second cluster, leaving the upgraded nodes upgraded', async () => {
    await register('beta', '1.31.4', 6);
    const { body: u } = await api('POST', '/clusters/beta/upgrades', { targetVersion: '1.31.10' });
    await until(
      () => getUpgrade('beta', u.id),
      (x) => x.phase === 'nodes' && x.batches.length >= 1,
    );
    expect((await api('POST', `/clusters/beta/upgrades/${u.id}/pause`)).status).toBe(202);
    await until(
      () => getUpgrade('beta', u.id),
      (x) => x.status === 'paused',
    );
    const cancel = await api('POST', `/clusters/beta/upgrades/${u.id}/cancel`);
    expect(cancel.status).toBe(202);
    const ended = await until(
      () => getUpgrade('beta', u.id),
      (x) => x.status === 'cancelled',
    );
    expect(ended.phase).toBe('done');
    const nodes = (await api('GET', '/clusters/beta')).body.nodes;
    expect(nodes.every((n: { unschedulable: boolean }) => !n.unschedulable)).toBe(true);
    expect(nodes.filter((n: { version: string }) => n.version === '1.31.10').length).toBe(3 + ended.nodes.upgraded);
    const types = (await api('GET', `/clusters/beta/upgrades/${u.id}/events`)).body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['PauseRequested', 'CancelRequested']));
    expect((await api('GET', '/clusters')).body.clusters).toContainEqual(expect.objectContaining({ id: 'beta', upgrade: null }));
  });

  it('refuses bad input with its documented 4xx and changes nothing', async () => {
    await register('gamma', '1.30.4', 3);
    await refused('POST', '/clusters/gamma/upgrades', undefined, 400, 'MalformedJson', '{"targetVersion": ');
    await refused('POST', '/clusters/gamma/upgrades', { targetVersion: '1.31.10', dryRun: true }, 400, 'ValidationFailed');
    await refused('POST', '/clusters/gamma/upgrades', { targetVersion: 'latest' }, 400, 'ValidationFailed');
    await refused('POST', '/clusters/gamma/upgrades', { targetVersion: '1.29.15' }, 400, 'InvalidRequest');
    await refused('POST', '/clusters/gamma/upgrades', { targetVersion: '1.32.6' }, 400, 'InvalidRequest');
    await refused('POST', '/clusters/gamma/upgrades', { targetVersion: '1.31.99' }, 400, 'InvalidRequest');
    await refused('POST', '/clusters/gamma/upgrades', { targetVersion: '1.31.010' }, 400, 'InvalidRequest');
    await refused('POST', '/clusters/nowhere/upgrades', { targetVersion: '1.31.10' }, 404, 'NotFound');
    // a check is refused what an upgrade is refused: no check is stored for a target no upgrade could take
    await refused('POST', '/clusters/gamma/checks', { targetVersion: 'latest' }, 400, 'ValidationFailed');
    await refused('POST', '/clusters/gamma/checks', { targetVersion: '1.31.010' }, 400, 'InvalidRequest');
    await refused('POST', '/clusters/gamma/checks', { targetVersion: '1.29.15' }, 400, 'InvalidRequest');
    await refused('POST', '/clusters/gamma/checks', { targetVersion: '1.32.6' }, 400, 'InvalidRequest');
    await refused('POST', '/clusters/gamma/checks', { targetVersion: '1.30.4' }, 400, 'InvalidRequest');
    await refused('POST', '/clusters/gamma/checks', { targetVersion: '1.31.99' }, 400, 'InvalidRequest');
    await refused('POST', '/clusters/nowhere/checks', { targetVersion: '1.31.10' }, 404, 'NotFound');
    await refused('GET', '/clusters/gamma/upgrades/upg-none', undefined, 404, 'NotFound');
    await refused('POST', '/clusters/gamma/upgrades/upg-none/pause', undefined, 404, 'NotFound');
    await refused('GET', '/clusters/Not_An_Id', undefined, 400, 'ValidationFailed');
    await refused('POST', '/clusters', { name: 'gamma', kubeconfig: sims.at(-1)!.kubeconfig }, 409, 'Conflict');
    await refused('POST', '/clusters', { name: 'delta' }, 400, 'ValidationFailed');
    // an incomplete kubeconfig is the caller's input (400, saying what is missing); 422 is for a cluster that cannot be reached (issue 17)
    await refused('POST', '/clusters', { name: 'delta', kubeconfig: 'apiVersion: v1\nkind: Config\nclusters: []\n' }, 400, 'KubeconfigInvalid');
    const unreachable = sims.at(-1)!.kubeconfig.replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:1');
    await refused('POST', '/clusters', { name: 'delta', kubeconfig: unreachable }, 422, 'ClusterUnreachable');
    await refused(
      'POST',
      '/clusters',
      { name: 'delta', kubeconfigSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other/x' },
      400,
      'ValidationFailed',
    );
    await refused('PUT', '/clusters/gamma', {}, 405, 'MethodNotAllowed');
    await refused('GET', '/nothing-here', undefined, 404, 'RouteNotFound');
  });

  it('starts exactly one of two simultaneous upgrades of a cluster', async () => {
    const [a, b] = await Promise.all([
      api('POST', '/clusters/gamma/upgrades', { targetVersion: '1.31.10' }),
      api('POST', '/clusters/gamma/upgrades', { targetVersion: '1.31.10' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const winner = a.status === 202 ? a.body : b.body;
    expect((await api('GET', '/clusters/gamma/upgrades')).body.upgrades.map((u: { id: string }) => u.id)).toEqual([winner.id]);
    expect(
      (
        await until(
          () => getUpgrade('gamma', winner.id),
          (u) => u.status !== 'running',
        )
      ).status,
    ).toBe('succeeded');
  });

  it('unregisters a cluster without an active upgrade and forgets its secret, even if an ended upgrade left its lock', async () => {
    // Prepare: the lock as a crash between the upgrade's end and its unlock leaves it
    const [ended] = (await api('GET', '/clusters/gamma/upgrades')).body.upgrades;
    expect(ended.status).toBe('succeeded');
    await stack.db.doc.send(
      new UpdateCommand({
        TableName: stack.db.table,
        Key: { pk: 'CLUSTER#gamma', sk: 'META' },
        UpdateExpression: 'SET activeUpgradeId = :u, lockedAt = :t',
        ExpressionAttributeValues: { ':u': ended.id, ':t': ended.updatedAt },
      }),
    );

    // Act / Assess
    expect((await api('DELETE', '/clusters/gamma')).status).toBe(204);
    expect((await api('GET', '/clusters/gamma')).status).toBe(404);
    expect((await scanAll(stack.db)).some((i) => i.pk === 'CLUSTER#gamma' && i.sk === 'META')).toBe(false);
    expect(existsSync(join(dataDir, 'secrets', 'gamma.kubeconfig'))).toBe(false);
  });

  it('stops cleanly on Ctrl-C', async () => {
    stack.proc.kill('SIGINT');
    expect(await stack.exited).toEqual({ code: 0, signal: null });
  });
});
