// Races: a fast-check model-based run (fc.commands) of concurrent clients sending
// start, pause, resume, cancel, check, register and unregister to the local API
// (the real handlers, dynalite, the local engine running the ASL), the rules
// checked after every command: one active upgrade per cluster, one live
// execution per upgrade at a time among different upgrades, never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/localStack.js';

const TOKEN = 'races-token-0123456789abcdef';
let dataDir: string;
let stack: LocalStack;
let kubeconfig: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kupgrade-races-'));
  stack = await startLocalStack({
    dataDir,
    pollMs: 20,
    demo: { masters: 1, workers: 4, version: '1.31.4', upgradeMs: 60, gracePeriodScale: 0.001 },
    http: { port: 0, token: TOKEN },
  });
  kubeconfig = await readFile(stack.demo!.kubeconfigPath, 'utf8');
});

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

interface World {
  serverErrors: string[];
}
type Real = { last?: string };

async function call(world: World, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(stack.api!.url + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 500) world.serverErrors.push(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const ACTIVE = ['scheduled', 'running', 'pausing', 'paused'];

/** The rules, looked at after each command. */
async function checkRules(world: World): Promise<void> {
  expect(world.serverErrors).toEqual([]);
  const list = await call(world, 'GET', '/clusters/demo/upgrades');
  if (list.status === 404) return; // unregistered just now
  const active = (list.body.upgrades as { id: string; status: string }[]).filter((u) => ACTIVE.includes(u.status));
  expect(active.length).toBeLessThanOrEqual(1);
  // the executions running belong to that one active upgrade (or to one just ended, finishing its last step)
  const running = new Set(stack.workflow.running().map((n) => n.replace(/-(run\d+|restart-\d+|c\d+)$/, '')));
  const ended = (list.body.upgrades as { id: string; status: string }[]).filter((u) => !ACTIVE.includes(u.status)).map((u) => u.id);
  const others = [...running].filter((id) => !active.some((u) => u.id === id) && !ended.includes(id));
  expect(others).toEqual([]);
}

/** One client's request, sent by several clients at once. */
class Concurrent implements fc.AsyncCommand<World, Real> {
  constructor(
    readonly what: 'start' | 'pause' | 'resume' | 'cancel' | 'check' | 'register' | 'unregister',
    readonly clients: number,
  ) {}
  check = () => true;
  async run(world: World, real: Real): Promise<void> {
    const current = async () => {
      const c = await call(world, 'GET', '/clusters/demo');
      return (c.body?.upgrade?.id as string | undefined) ?? real.last;
    };
    const one = async () => {
      const id = await current();
      switch (this.what) {
        case 'start': {
          const r = await call(world, 'POST', '/clusters/demo/upgrades', { targetVersion: '1.32.6' });
          if (r.status === 202) real.last = r.body.id as string;
          return;
        }
        case 'check':
          return void (await call(world, 'POST', '/clusters/demo/checks', { targetVersion: '1.32.6' }));
        case 'register':
          return void (await call(world, 'POST', '/clusters', { name: 'demo', kubeconfig }));
        case 'unregister':
          return void (await call(world, 'DELETE', '/clusters/demo'));
        default:
          if (id) await call(world, 'POST', `/clusters/demo/upgrades/${id}/${this.what}`);
      }
    };
    await Promise.all(Array.from({ length: this.clients }, one));
    await checkRules(world);
  }
  toString = () => `${this.what}×${this.clients}`;
}

describe('concurrent clients', () => {
  it('never get two active upgrades on a cluster, two live upgrades’ executions, or a 5xx', async () => {
    const command = fc
      .tuple(fc.constantFrom('start', 'pause', 'resume', 'cancel', 'check', 'register', 'unregister' as const), fc.integer({ min: 1, max: 3 }))
      .map(([what, clients]) => new Concurrent(what as Concurrent['what'], clients));
    await fc.assert(
      fc.asyncProperty(fc.commands([command], { maxCommands: 12 }), async (cmds) => {
        const world: World = { serverErrors: [] };
        await fc.asyncModelRun(() => ({ model: world, real: {} }), cmds);
        await checkRules(world);
      }),
      { numRuns: Number(process.env.RACE_RUNS ?? 6), seed: Number(process.env.RACE_SEED ?? 24), endOnFailure: true },
    );
  });
});
