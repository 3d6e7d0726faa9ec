import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeSim, type KubeObject } from '../../local/kube-sim/index.js';
import { eventually } from '../helpers/eventually.js';

const MERGE = { contentType: 'application/merge-patch+json' };

describe('kube-sim persistence of Events, Leases and objects being deleted', () => {
  it('keeps them across a restart, and carries on deleting what was being deleted', async () => {
    // Prepare: an event, a held pod being deleted, a pod in its grace period and a namespace Terminating because of it
    const dir = await mkdtemp(join(tmpdir(), 'kube-sim-restore-'));
    const statePath = join(dir, 'cluster.json');
    const options = { masters: 1, workers: 1, upgradeMs: 50, rescheduleMs: 20, workload: 'none' as const, statePath };
    const first = await startKubeSim({ ...options, gracePeriodScale: 1 });
    const pod = (name: string, extra: Record<string, unknown> = {}) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, ...extra },
      spec: { nodeName: 'worker-1', terminationGracePeriodSeconds: 600, containers: [{ name: 'c', image: 'pause' }] },
    });
    const running = (ns: string, name: string) =>
      eventually(() => (first.object('pods', ns, name)?.status as { phase?: string } | undefined)?.phase === 'Running', `${ns}/${name} running`);
    await first.request('POST', '/api/v1/namespaces', { metadata: { name: 'leaving' } });
    for (const [ns, p] of [
      ['default', pod('held', { finalizers: ['example.com/hold'] })],
      ['leaving', pod('slow')],
    ] as const) {
      expect((await first.request('POST', `/api/v1/namespaces/${ns}/pods`, p)).status).toBe(201);
      await running(ns, p.metadata.name);
    }
    await first.request('POST', '/api/v1/namespaces/default/events', {
      metadata: { name: 'worker-1.kept' },
      involvedObject: { kind: 'Node', name: 'worker-1', uid: 'worker-1' },
      reason: 'Kept',
      message: 'across a restart',
      type: 'Normal',
    });
    await first.request('DELETE', '/api/v1/namespaces/default/pods/held?gracePeriodSeconds=0');
    await first.request('DELETE', '/api/v1/namespaces/leaving');
    await eventually(() => !!first.object('pods', 'leaving', 'slow')?.metadata.deletionTimestamp, 'the namespace controller to delete its pod');
    await first.close();
    const saved = JSON.parse(await readFile(statePath, 'utf8')) as { objects: Record<string, KubeObject[]> };
    expect(saved.objects.events!.map((e) => e.metadata.name)).toContain('worker-1.kept');
    expect(saved.objects.leases!.map((l) => l.metadata.name)).toEqual(['master-1', 'worker-1']);

    // Act: started again, on the same state, with grace periods that pass quickly
    // 600 s × 0.005 = 3 s: long enough to see the namespace still Terminating on a loaded machine, short enough to see it go
    const second = await startKubeSim({ ...options, gracePeriodScale: 0.005 });
    try {
      // Assess
      expect(second.object('events', 'default', 'worker-1.kept')).toMatchObject({ message: 'across a restart' });
      expect(second.object('leases', 'kube-node-lease', 'worker-1')).toBeDefined();
      expect(second.object('pods', 'default', 'held')?.metadata).toMatchObject({ deletionTimestamp: expect.any(String), finalizers: ['example.com/hold'] });
      expect(second.object('namespaces', undefined, 'leaving')?.status).toEqual({ phase: 'Terminating' });
      await eventually(() => !second.object('namespaces', undefined, 'leaving'), 'the namespace to finish going');
      await second.request('PATCH', '/api/v1/namespaces/default/pods/held', { metadata: { finalizers: null } }, MERGE);
      expect(second.object('pods', 'default', 'held')).toBeUndefined();
    } finally {
      await second.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
