// Black box: the local stack as `npm start` runs it, over HTTP, and its demo cluster through the real kubectl.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zeroBudgetManifest } from '../helpers/zeroBudget.js';
import { call, startChildStack, stopChildStack, until, type ChildStack } from './childStack.js';

let stack: ChildStack;
let dataDir: string;
const api = (method: string, path: string, body?: unknown, opts?: Parameters<typeof call>[4]) => call(stack.url, method, path, body, opts);

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', join(dataDir, 'demo', 'kubeconfig'), '--request-timeout=20s', ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}
async function ok(args: string[]): Promise<string> {
  const r = await kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A pod pinned to `node` and a budget that never lets it go, as a user would apply them. */
async function applyZeroBudget(node: string): Promise<void> {
  const manifest = join(dataDir, 'zero-budget.yaml');
  await writeFile(manifest, zeroBudgetManifest(node));
  await ok(['apply', '-f', manifest]);
}

const upgradeOf = (id: string) => async () => (await api('GET', `/clusters/demo/upgrades/${id}`)).body;
const eventsOf = async (id: string) =>
  (await api('GET', `/clusters/demo/upgrades/${id}/events?limit=1000`)).body.events as {
    at: string;
    type: string;
    message: string;
    node?: string;
    by?: string;
  }[];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kupgrade-waits-'));
  stack = await startChildStack(dataDir, { KUPGRADE_DEMO_UPGRADE_SECONDS: '0.3' });
}, 90_000);
afterAll(async () => {
  await stopChildStack(stack);
  await rm(dataDir, { recursive: true, force: true });
});

describe('what an upgrade shows', () => {
  let target: string;

  it('a failed precheck says why: the upgrade ends failed with PrecheckFailed naming the checks', async () => {
    target = (await api('GET', '/clusters/demo')).body.availableUpgrades.at(-1);
    const plan = (await api('GET', '/clusters/demo')).body.nodes.find((n: { role: string }) => n.role === 'worker').name;
    await applyZeroBudget(plan);

    const started = await api('POST', '/clusters/demo/upgrades', { targetVersion: target });
    const failed = await until(upgradeOf(started.body.id), (u) => u.status === 'failed');

    expect(failed.error).toMatchObject({ reason: 'PrecheckFailed', message: expect.stringContaining('pdb-blockers'), remedy: expect.any(String) });
    expect(failed.actions).toEqual({ pause: false, resume: false, cancel: false });
    await ok(['delete', 'pdb', 'pinned-never', '-n', 'default']);
  });

  it('a zero-budget PDB is the node wait, named with its deadline, within one poll; one DrainBlocked event; in kubectl get events; removed, the upgrade finishes', async () => {
    // Prepare: an upgrade past its precheck, then a budget that allows no disruption of a pod on the first worker of the plan
    const started = await api('POST', '/clusters/demo/upgrades', { targetVersion: target });
    const inMasters = await until(upgradeOf(started.body.id), (u) => u.phase === 'masters');
    const firstWorker = inMasters.plan.batches[0][0];
    await ok(['delete', 'pod', 'pinned', '-n', 'default', '--ignore-not-found', '--grace-period=0']);
    await applyZeroBudget(firstWorker);

    // Act: the drain of that worker meets the budget
    const blocked = await until(upgradeOf(started.body.id), (u) =>
      (u.currentBatch?.nodes ?? []).some((n: { waitingFor: { reason: string } | null }) => n.waitingFor?.reason === 'DrainBlocked'),
    );

    // Assess: the wait names the budget and what it allows, with the deadline the drain timeout sets
    const node = blocked.currentBatch.nodes.find((n: { name: string }) => n.name === firstWorker);
    expect(node).toMatchObject({ step: 'draining', since: expect.any(String) });
    expect(node.waitingFor).toMatchObject({
      reason: 'DrainBlocked',
      object: 'poddisruptionbudget/default/pinned-never',
      message: expect.stringContaining('PodDisruptionBudget default/pinned-never (allows 0 disruptions)'),
    });
    expect(Date.parse(node.waitingFor.deadline) - Date.parse(node.waitingFor.since)).toBe(1800 * 1000);
    expect(blocked.actions).toEqual({ pause: true, resume: false, cancel: false });

    // several polls later, still one event for the wait
    const polls = (await eventsOf(started.body.id)).length;
    await until(
      async () => (await eventsOf(started.body.id)).length,
      () => true,
      1000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const during = await eventsOf(started.body.id);
    const told = during.filter((e) => e.type === 'DrainBlocked' && e.node === firstWorker);
    expect(told).toHaveLength(1);
    // within one poll: the step that cordoned the node tried its drain and told the wait (one step stamps its events with one time)
    expect(told[0]!.at).toBe(during.find((e) => e.type === 'NodeCordoned' && e.node === firstWorker)!.at);
    expect(during.length).toBeGreaterThanOrEqual(polls);
    // and kubectl sees it on the node
    const k8sEvents = await ok(['get', 'events', '-A', '--field-selector', `involvedObject.name=${firstWorker}`]);
    expect(k8sEvents).toMatch(/Warning\s+DrainBlocked\s+node\//);
    const described = await ok(['describe', 'node', firstWorker]);
    expect(described).toMatch(/Normal\s+NodeCordoned\s+\S+\s+kupgrade/);

    // the actions the API would accept are exactly the ones it accepts
    expect((await api('POST', `/clusters/demo/upgrades/${started.body.id}/resume`)).status).toBe(409);
    expect((await api('POST', `/clusters/demo/upgrades/${started.body.id}/cancel`)).status).toBe(409);

    // Act: the budget goes
    await ok(['delete', 'pdb', 'pinned-never', '-n', 'default']);
    const done = await until(upgradeOf(started.body.id), (u) => u.status !== 'running', 120_000);

    // Assess
    expect(done.status).toBe('succeeded');
    const all = await eventsOf(started.body.id);
    expect(all.filter((e) => e.type === 'WaitEnded' && e.node === firstWorker)).toHaveLength(1);
    expect(all.find((e) => e.type === 'UpgradeCreated')?.by).toBe('local:operator');
    expect(all.find((e) => e.type === 'BatchStarted' && e.message.startsWith('started worker batch 1'))?.message).toMatch(
      /^started worker batch 1 \(1 node: \S+\)$/,
    );
    expect(done).toMatchObject({ startedAt: expect.any(String), endedAt: expect.any(String), masters: { current: null, currentName: null } });
    expect(done.batches[0]).toMatchObject({ index: 1, startedAt: expect.any(String), endedAt: expect.any(String), rampRestart: false });
  });

  it('answers every error in one shape, with a remedy', async () => {
    const shapes: [string, Promise<{ status: number; body: { error: { code: string; message: string; remedy: string } } }>, number, string][] = [
      ['no token', api('GET', '/clusters', undefined, { token: null }), 401, 'Unauthorized'],
      ['unknown route', api('GET', '/nothing'), 404, 'RouteNotFound'],
      ['wrong method', api('PATCH', '/clusters'), 405, 'MethodNotAllowed'],
      ['too large', api('POST', '/clusters', undefined, { raw: 'x'.repeat(1_100_000) }), 413, 'PayloadTooLarge'],
      [
        'not JSON',
        fetch(`${stack.url}/clusters`, {
          method: 'POST',
          headers: { authorization: `Bearer ${'e2e-token-0123456789abcdef'}`, 'content-type': 'text/plain' },
          body: 'name=x',
        }).then(async (r) => ({ status: r.status, body: await r.json() })),
        415,
        'UnsupportedMediaType',
      ],
      ['a kubeconfig that is not YAML', api('POST', '/clusters', { name: 'bad', kubeconfig: 'clusters: [\n  - a: b\n' }), 400, 'KubeconfigInvalid'],
      [
        'a kubeconfig with a plugin',
        api('POST', '/clusters', {
          name: 'bad',
          kubeconfig:
            'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://x"}\nusers:\n- name: u\n  user: {exec: {command: aws}}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n',
        }),
        400,
        'KubeconfigInvalid',
      ],
      [
        'a cluster that cannot be reached',
        api('POST', '/clusters', {
          name: 'away',
          kubeconfig:
            'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {token: abc}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n',
        }),
        422,
        'ClusterUnreachable',
      ],
      ['an unknown field', api('POST', '/clusters/demo/checks', { targetVersion: '1.32.6', extra: 1 }), 400, 'ValidationFailed'],
    ];
    for (const [what, reply, status, code] of shapes) {
      const r = await reply;
      expect([what, r.status, r.body.error.code]).toEqual([what, status, code]);
      expect([what, typeof r.body.error.message, typeof r.body.error.remedy]).toEqual([what, 'string', 'string']);
    }
    // the YAML error names where, the plugin error says why, the unreachable one says what to do before registering again
    const notYaml = (await shapes[5]![1]).body.error.message;
    expect(notYaml).toMatch(/line 2, column \d+/);
    expect((await shapes[6]![1]).body.error.message).toContain('exec or auth-provider');
    expect((await shapes[7]![1]).body.error.remedy).toMatch(/register the cluster again$/);
  });
});
