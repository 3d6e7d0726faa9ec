// Black box: the drain forecast of a paused upgrade names the node a resume starts, its pods and the
// budget that allows nothing; resumed, the drain of that very node waits on that budget.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zeroBudgetManifest } from '../helpers/zeroBudget.js';
import { call, startChildStack, stopChildStack, until, type ChildStack } from './childStack.js';

const VIEWER = 'e2e-viewer-0123456789abcdef';
let stack: ChildStack;
let dataDir: string;
const api = (method: string, path: string, body?: unknown, opts?: Parameters<typeof call>[4]) => call(stack.url, method, path, body, opts);

function kubectl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['--kubeconfig', join(dataDir, 'demo', 'kubeconfig'), '--request-timeout=20s', ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    );
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kupgrade-forecast-'));
  stack = await startChildStack(dataDir, { KUPGRADE_DEMO_UPGRADE_SECONDS: '0.3', KUPGRADE_VIEWER_TOKEN: VIEWER });
}, 90_000);

afterAll(async () => {
  await stopChildStack(stack);
  await rm(dataDir, { recursive: true, force: true });
});

describe('GET /clusters/{id}/upgrades/{id}/drain-forecast', () => {
  it('names the batch a resume starts, the pods that move, the budget that blocks; the drain then waits on it', async () => {
    // Prepare: an upgrade paused among the workers
    const target = (await api('GET', '/clusters/demo')).body.availableUpgrades[0];
    const started = await api('POST', '/clusters/demo/upgrades', { targetVersion: target });
    const path = `/clusters/demo/upgrades/${started.body.id}`;
    await until(
      async () => (await api('GET', path)).body,
      (u) => u.phase === 'nodes',
    );
    await api('POST', `${path}/pause`);
    const paused = await until(
      async () => (await api('GET', path)).body,
      (u) => u.status === 'paused',
    );

    // Act: read the forecast, then put a pod the budget never lets go on the node it names
    const before = await api('GET', `${path}/drain-forecast`, undefined, { token: VIEWER });
    expect(before.status).toBe(200);
    expect(before.body.batch).toEqual({
      phase: 'nodes',
      number: paused.batches.filter((b: { nodes: string[] }) => b.nodes.every((n) => n.startsWith('worker-'))).length + 1,
      nodes: [expect.any(String)],
    });
    const node = before.body.batch.nodes[0] as string;
    expect(before.body.blockingBudgets).toEqual([]);
    expect(before.body.pods.every((p: { node: string }) => p.node === node)).toBe(true);
    await writeFile(join(dataDir, 'zero.yaml'), zeroBudgetManifest(node));
    await kubectl(['apply', '-f', join(dataDir, 'zero.yaml')]);
    // Ready, so the budget counts it healthy and refuses its eviction (before, the drain was seen to take it)
    await until(
      () => kubectl(['get', 'pod', 'pinned', '-n', 'default', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']),
      (out) => out === 'True',
    );
    const after = await until(
      () => api('GET', `${path}/drain-forecast`),
      (r) => r.body.blockingBudgets?.length > 0,
    );

    // Assess: the pod and its budget are named; what a drain leaves does not move
    expect(after.body.pods).toContainEqual({ namespace: 'default', name: 'pinned', node, owner: null, moves: true });
    expect(after.body.blockingBudgets).toEqual([{ namespace: 'default', name: 'pinned-never', allowedDisruptions: 0, pods: ['default/pinned'] }]);
    for (const p of after.body.pods.filter((x: { owner: string | null }) => x.owner?.startsWith('DaemonSet/'))) expect(p.moves).toBe(false);
    // and it was right: resumed, the drain of that node waits on that budget
    await api('POST', `${path}/resume`);
    const blocked = await until(
      async () => (await api('GET', path)).body,
      (u) => u.currentBatch?.nodes.some((n: { waitingFor?: { reason: string } }) => n.waitingFor?.reason === 'DrainBlocked'),
    );
    expect(blocked.currentBatch.nodes.find((n: { waitingFor?: { reason: string } }) => n.waitingFor?.reason === 'DrainBlocked').name).toBe(node);
    await kubectl(['delete', 'pdb', 'pinned-never', '-n', 'default']);
    const done = await until(
      async () => (await api('GET', path)).body,
      (u) => u.status === 'succeeded',
      120_000,
    );
    expect((await api('GET', `${path}/drain-forecast`)).body).toMatchObject({ upgradeId: done.id, batch: null, pods: [], blockingBudgets: [] });
  });

  it('answers 404 with a remedy for an unknown upgrade, and 401 without a token', async () => {
    const missing = await api('GET', '/clusters/demo/upgrades/upg-doesnotexist00/drain-forecast');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: expect.any(String), message: expect.any(String), remedy: expect.any(String) });
    expect((await api('GET', '/clusters/demo/upgrades/upg-doesnotexist00/drain-forecast', undefined, { token: null })).status).toBe(401);
  });
});
