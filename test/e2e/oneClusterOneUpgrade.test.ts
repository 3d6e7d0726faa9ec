import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeSim, type KubeSim } from '../../local/kube-sim/index.js';
import { call, startChildStack, stopChildStack, until, type ChildStack } from './childStack.js';

/**
 * Two installations of kupgrade (two local stacks, each with its own data),
 * one physical cluster registered in each with its own credential: the Lease
 * in the cluster lets one upgrade at a time touch it. Black box: HTTP to the
 * stacks, the simulator's audit of who wrote what.
 */
const target = '1.31.10';

describe('one physical cluster, one upgrade', () => {
  let sim: KubeSim;
  let dirs: string[];
  let a: ChildStack | undefined;
  let b: ChildStack | undefined;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 4, version: '1.30.4', upgradeMs: 200, rescheduleMs: 50 });
    dirs = await Promise.all([mkdtemp(join(tmpdir(), 'kupgrade-a-')), mkdtemp(join(tmpdir(), 'kupgrade-b-'))]);
    [a, b] = await Promise.all(dirs.map((d) => startChildStack(d, {}, ['--no-demo'])));
  });
  afterAll(async () => {
    await Promise.all([stopChildStack(a), stopChildStack(b)]);
    await sim?.close();
    await Promise.all((dirs ?? []).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('refuses a second registration of the same cluster with a 409 naming the first, whatever credential it comes with', async () => {
    const first = sim.issueToken({ name: 'stack-a' });
    const other = sim.issueToken({ name: 'stack-a-dup' });
    expect((await call(a!.url, 'POST', '/clusters', { name: 'lab2', kubeconfig: first.kubeconfig })).status).toBe(201);

    const dup = await call(a!.url, 'POST', '/clusters', { name: 'lab2-dup', kubeconfig: other.kubeconfig });

    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'Conflict', message: expect.stringContaining('already registered as lab2'), remedy: expect.any(String) });
    expect((await call(a!.url, 'GET', '/clusters')).body.clusters.map((c: { id: string }) => c.id)).toEqual(['lab2']);
  });

  it('lets two installations start upgrades of it together, and only the one holding the Lease writes to it', async () => {
    // Prepare: the same cluster registered in the second installation, with a credential of its own
    const second = sim.issueToken({ name: 'stack-b' });
    expect((await call(b!.url, 'POST', '/clusters', { name: 'lab', kubeconfig: second.kubeconfig })).status).toBe(201);

    // Act: both start at once
    const [ua, ub] = await Promise.all([
      call(a!.url, 'POST', '/clusters/lab2/upgrades', { targetVersion: target }),
      call(b!.url, 'POST', '/clusters/lab/upgrades', { targetVersion: target }),
    ]);
    expect([ua.status, ub.status]).toEqual([202, 202]);
    const read = (s: ChildStack, cluster: string, id: string) => async () => (await call(s.url, 'GET', `/clusters/${cluster}/upgrades/${id}`)).body;
    const [endA, endB] = await Promise.all([
      until(read(a!, 'lab2', ua.body.id), (u) => u.status !== 'running' && u.status !== 'pausing', 90_000),
      until(read(b!, 'lab', ub.body.id), (u) => u.status !== 'running' && u.status !== 'pausing', 90_000),
    ]);

    // Assess: one succeeded; the other paused naming the first as the holder, its installation and upgrade
    const [winner, loser] =
      endA.status === 'succeeded'
        ? [
            { u: endA, cred: 'stack-a' },
            { u: endB, cred: 'stack-b', stack: b!, cluster: 'lab' },
          ]
        : [
            { u: endB, cred: 'stack-b' },
            { u: endA, cred: 'stack-a', stack: a!, cluster: 'lab2' },
          ];
    expect(winner.u.status).toBe('succeeded');
    expect(loser.u).toMatchObject({ status: 'paused', error: { reason: 'ClusterLeased', message: expect.stringContaining(`upgrade ${winner.u.id}`) } });
    expect(loser.u.error.message).toContain('run by the kupgrade installation local:');

    // Assess: while the winner held the Lease, the loser's credential wrote nothing (a refused create is no write)
    const byCred = (cred: string) => sim.audit.filter((e) => e.credential === cred);
    const took = byCred(winner.cred).find((e) => e.resource === 'leases' && e.verb === 'create' && e.code < 300);
    expect(took).toBeDefined();
    // the winner's status is written first, then the cluster is freed: its lock, then its Lease
    const released = await until(
      async () => byCred(winner.cred).find((e) => e.resource === 'leases' && e.verb === 'delete' && e.code < 300),
      (e) => e !== undefined,
      10_000,
    );
    const loserWrites = byCred(loser.cred).filter((e) => e.code < 300 && e.at >= took!.at && e.at <= released!.at);
    expect(loserWrites).toEqual([]);
    // and the winner did the whole upgrade: every node at the target, none cordoned
    const nodes = sim.objects('nodes');
    expect(nodes.every((n) => (n.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion === `v${target}`)).toBe(true);
    expect(nodes.filter((n) => (n.spec as { unschedulable?: boolean }).unschedulable)).toEqual([]);

    // Act: the loser resumed once the first has ended
    expect((await call(loser.stack.url, 'POST', `/clusters/${loser.cluster}/upgrades/${loser.u.id}/resume`)).status).toBe(202);
    const after = await until(read(loser.stack, loser.cluster, loser.u.id), (u) => u.status !== 'running' && u.status !== 'pausing', 90_000);

    // Assess: it finishes, finding nothing (or little) to do
    expect(after.status).toBe('succeeded');
  });
});
