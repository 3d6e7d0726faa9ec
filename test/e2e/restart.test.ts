// Black box: `npm start` killed (SIGKILL, no chance to clean up) in the middle
// of an upgrade of the demo cluster, then started again on the same data.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, startChildStack, stopChildStack, until, type ChildStack } from './childStack.js';

let dataDir: string;
let stack: ChildStack | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kupgrade-restart-'));
});

afterAll(async () => {
  await stopChildStack(stack);
  await rm(dataDir, { recursive: true, force: true });
});

describe('the local stack after a kill', () => {
  it('finds its clusters and upgrades again, finishes the upgrade that was running and leaves no node cordoned', async () => {
    // Prepare: an upgrade of the demo cluster, killed while a worker batch is in flight
    stack = await startChildStack(dataDir);
    const api = (s: ChildStack, method: string, path: string, body?: unknown) => call(s.url, method, path, body);
    const started = await api(stack, 'POST', '/clusters/demo/upgrades', { targetVersion: '1.32.6' });
    expect(started.status).toBe(202);
    const id: string = started.body.id;
    // killed while a worker batch is in flight and one of its nodes is cordoned
    const read = async () => ({
      upgrade: (await api(stack!, 'GET', `/clusters/demo/upgrades/${id}`)).body,
      cordoned: (await api(stack!, 'GET', '/clusters/demo')).body.nodes.filter((n: { unschedulable: boolean }) => n.unschedulable).length,
    });
    const before = (await until(read, (x) => x.upgrade.phase === 'nodes' && x.upgrade.batches.length >= 2 && x.cordoned > 0, 60_000, 10)).upgrade;

    // Act
    stack.proc.kill('SIGKILL');
    expect((await stack.exited).signal).toBe('SIGKILL');
    stack = await startChildStack(dataDir);

    // Assess
    expect(stack.output()).toContain(`carrying on with running upgrades: ${id}`);
    const clusters = (await api(stack, 'GET', '/clusters')).body.clusters;
    expect(clusters).toContainEqual(expect.objectContaining({ id: 'demo', upgrade: expect.objectContaining({ id }) }));
    const done = await until(
      () => api(stack!, 'GET', `/clusters/demo/upgrades/${id}`).then((r) => r.body),
      (u) => u.status !== 'running',
    );
    expect(done).toMatchObject({ status: 'succeeded', phase: 'done', nodes: { total: 10, upgraded: 10 } });
    expect(done.nodes.upgraded).toBeGreaterThanOrEqual(before.nodes.upgraded);
    const demo = (await api(stack, 'GET', '/clusters/demo')).body;
    expect(demo).toMatchObject({ version: '1.32.6', upgrade: null, availableUpgrades: [] });
    expect(demo.nodes).toHaveLength(13);
    for (const n of demo.nodes) expect([n.name, n.version, n.unschedulable]).toEqual([n.name, '1.32.6', false]);
  });
});
