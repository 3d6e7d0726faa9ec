import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startKubeSim, type KubeObject, type KubeSim } from '../../local/kube-sim/index.js';
import { eventually } from '../helpers/eventually.js';

const MERGE = { contentType: 'application/merge-patch+json' };
const ready = (p: KubeObject | undefined) =>
  ((p?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

function pod(name: string, extra: { finalizers?: string[]; grace?: number; labels?: Record<string, string>; node?: string } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(extra.finalizers ? { finalizers: extra.finalizers } : {}), ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: {
      nodeName: extra.node ?? 'worker-1',
      containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }],
      ...(extra.grace !== undefined ? { terminationGracePeriodSeconds: extra.grace } : {}),
    },
  };
}

describe('kube-sim: graceful deletion and finalizers', () => {
  let sim: KubeSim;
  // 1 simulated second = 10 ms: the default 30 s grace period is 300 ms
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 2, upgradeMs: 50, rescheduleMs: 20, workload: 'none', gracePeriodScale: 0.01 });
  });
  afterAll(() => sim?.close());

  const create = async (body: unknown, path = '/api/v1/namespaces/default/pods') => {
    const r = await sim.request('POST', path, body);
    expect([r.status, r.body.message]).toEqual([201, undefined]);
    return r.body as KubeObject;
  };
  const running = (name: string) => eventually(() => ready(sim.object('pods', 'default', name)), `${name} to run`);

  it('keeps a deleted pod Terminating for its grace period (the pod default, 30 s), then its kubelet removes it', async () => {
    await create(pod('graceful'));
    expect((sim.object('pods', 'default', 'graceful')!.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds).toBe(30);
    await running('graceful');
    const before = Date.now();
    const r = await sim.request('DELETE', '/api/v1/namespaces/default/pods/graceful');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'Pod', metadata: { name: 'graceful', deletionGracePeriodSeconds: 30 } });
    // the deadline a real server sets: now plus the grace period
    expect(Date.parse(r.body.metadata.deletionTimestamp) - before).toBeGreaterThanOrEqual(29_000);
    expect(sim.object('pods', 'default', 'graceful')?.metadata.deletionTimestamp).toBe(r.body.metadata.deletionTimestamp);
    await eventually(() => !sim.object('pods', 'default', 'graceful'), 'the pod to be gone');
    expect(Date.now() - before).toBeGreaterThanOrEqual(280);
  });

  it('takes the grace period from the request (query or body) over the pod’s, and 0 removes it at once', async () => {
    for (const name of ['short-q', 'short-b', 'now']) await create(pod(name, { grace: 600 }));
    await running('now');
    const q = await sim.request('DELETE', '/api/v1/namespaces/default/pods/short-q?gracePeriodSeconds=2');
    expect(q.body.metadata.deletionGracePeriodSeconds).toBe(2);
    const b = await sim.request('DELETE', '/api/v1/namespaces/default/pods/short-b', { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 3 });
    expect(b.body.metadata.deletionGracePeriodSeconds).toBe(3);
    const now = await sim.request('DELETE', '/api/v1/namespaces/default/pods/now?gracePeriodSeconds=0');
    expect(now.status).toBe(200);
    expect(sim.object('pods', 'default', 'now')).toBeUndefined();
    await eventually(() => !sim.object('pods', 'default', 'short-q') && !sim.object('pods', 'default', 'short-b'), 'the short grace periods to pass');
  });

  it('lets a second DELETE only shorten a pending grace period', async () => {
    await create(pod('long', { grace: 3600 }));
    await running('long');
    const first = await sim.request('DELETE', '/api/v1/namespaces/default/pods/long');
    expect(first.body.metadata.deletionGracePeriodSeconds).toBe(3600);
    const longer = await sim.request('DELETE', '/api/v1/namespaces/default/pods/long?gracePeriodSeconds=7200');
    expect(longer.body.metadata).toMatchObject({ deletionGracePeriodSeconds: 3600, deletionTimestamp: first.body.metadata.deletionTimestamp });
    const shorter = await sim.request('DELETE', '/api/v1/namespaces/default/pods/long?gracePeriodSeconds=1');
    expect(shorter.body.metadata.deletionGracePeriodSeconds).toBe(1);
    expect(Date.parse(shorter.body.metadata.deletionTimestamp)).toBe(Date.parse(first.body.metadata.deletionTimestamp) - 3599_000);
    await eventually(() => !sim.object('pods', 'default', 'long'), 'the shortened grace period to pass');
  });

  it('removes an unscheduled or finished pod at once, as PodStrategy has no kubelet to wait for', async () => {
    await create({ ...pod('nowhere'), spec: { containers: [{ name: 'c', image: 'x' }], nodeSelector: { absent: 'label' } } });
    expect((await sim.request('DELETE', '/api/v1/namespaces/default/pods/nowhere')).body.metadata.deletionTimestamp).toBeUndefined();
    expect(sim.object('pods', 'default', 'nowhere')).toBeUndefined();
    await create(pod('finished'));
    await running('finished');
    await sim.request('PATCH', '/api/v1/namespaces/default/pods/finished/status', { status: { phase: 'Succeeded' } }, MERGE);
    await sim.request('DELETE', '/api/v1/namespaces/default/pods/finished');
    expect(sim.object('pods', 'default', 'finished')).toBeUndefined();
  });

  it('keeps an object with finalizers, with a deletionTimestamp, until a patch removes the last one; none may be added meanwhile', async () => {
    await create(pod('held', { finalizers: ['example.com/hold', 'example.com/audit'] }));
    await running('held');
    await sim.request('DELETE', '/api/v1/namespaces/default/pods/held?gracePeriodSeconds=0');
    const held = sim.object('pods', 'default', 'held')!;
    expect(held.metadata).toMatchObject({ deletionTimestamp: expect.any(String), deletionGracePeriodSeconds: 0 });

    const adding = await sim.request(
      'PATCH',
      '/api/v1/namespaces/default/pods/held',
      { metadata: { finalizers: ['example.com/hold', 'example.com/audit', 'x/y'] } },
      MERGE,
    );
    expect(adding.status).toBe(422);
    expect(adding.body.message).toContain('no new finalizers can be added if the object is being deleted');
    // a write cannot clear the deletion marks either
    const unmark = await sim.request(
      'PATCH',
      '/api/v1/namespaces/default/pods/held',
      { metadata: { deletionTimestamp: null, finalizers: ['example.com/hold'] } },
      MERGE,
    );
    expect(unmark.status).toBe(200);
    expect(unmark.body.metadata).toMatchObject({ deletionTimestamp: held.metadata.deletionTimestamp, finalizers: ['example.com/hold'] });
    expect(sim.object('pods', 'default', 'held')).toBeDefined();

    const last = await sim.request('PATCH', '/api/v1/namespaces/default/pods/held', { metadata: { finalizers: null } }, MERGE);
    expect(last.status).toBe(200);
    expect(sim.object('pods', 'default', 'held')).toBeUndefined();
  });

  it('honours finalizers on any kind (a PodDisruptionBudget), and DELETE preconditions', async () => {
    const pdb = await create(
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'kept', finalizers: ['example.com/keep'] },
        spec: { maxUnavailable: 1, selector: { matchLabels: { a: 'b' } } },
      },
      '/apis/policy/v1/namespaces/default/poddisruptionbudgets',
    );
    const wrong = await sim.request('DELETE', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/kept', { preconditions: { uid: 'not-its-uid' } });
    expect(wrong.status).toBe(409);
    expect(wrong.body).toMatchObject({ reason: 'Conflict', message: expect.stringContaining('Precondition failed: UID in precondition: not-its-uid') });
    const del = await sim.request('DELETE', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/kept', { preconditions: { uid: pdb.metadata.uid } });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ kind: 'PodDisruptionBudget', metadata: { deletionTimestamp: expect.any(String), finalizers: ['example.com/keep'] } });
    await sim.request('PATCH', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/kept', { metadata: { finalizers: [] } }, MERGE);
    expect(sim.object('poddisruptionbudgets', 'default', 'kept')).toBeUndefined();
  });

  it('does not count a terminating pod: its ReplicaSet replaces it at once, and a budget no longer counts it healthy', async () => {
    const labels = { app: 'counted' };
    await create(
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'counted' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { terminationGracePeriodSeconds: 3600, containers: [{ name: 'c', image: 'pause' }] } },
        },
      },
      '/apis/apps/v1/namespaces/default/replicasets',
    );
    await create(
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'counted' }, spec: { minAvailable: 1, selector: { matchLabels: labels } } },
      '/apis/policy/v1/namespaces/default/poddisruptionbudgets',
    );
    const pods = () => sim.objects('pods', 'default').filter((p) => p.metadata.labels?.app === 'counted');
    await eventually(() => pods().filter(ready).length === 2, 'two ready pods');
    const victim = pods()[0]!;
    expect((await sim.request('DELETE', `/api/v1/namespaces/default/pods/${victim.metadata.name}`)).status).toBe(200);

    const after = await eventually(() => {
      const all = pods();
      return all.length === 3 && all.filter((p) => !p.metadata.deletionTimestamp).every(ready) && all;
    }, 'a replacement while the old pod terminates');
    expect(after.filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name)).toEqual([victim.metadata.name]);
    const rs = (await sim.request('GET', '/apis/apps/v1/namespaces/default/replicasets/counted')).body;
    expect(rs.status).toMatchObject({ replicas: 2, readyReplicas: 2 });
    const budget = await eventually(async () => {
      const b = (await sim.request('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/counted')).body;
      return b.status?.currentHealthy === 2 && b;
    }, 'the budget to count the two live pods');
    expect(budget.status).toMatchObject({ currentHealthy: 2, expectedPods: 2, disruptionsAllowed: 1 });
    await sim.request('DELETE', `/api/v1/namespaces/default/pods/${victim.metadata.name}?gracePeriodSeconds=0`);
  });

  it('replaces a terminating DaemonSet pod only once it is gone, as the DaemonSet controller waits for it', async () => {
    const labels = { app: 'daemon' };
    await create(
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'daemon' },
        spec: {
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { terminationGracePeriodSeconds: 3600, containers: [{ name: 'c', image: 'pause' }] } },
        },
      },
      '/apis/apps/v1/namespaces/default/daemonsets',
    );
    const onWorker1 = () =>
      sim.objects('pods', 'default').filter((p) => p.metadata.labels?.app === 'daemon' && (p.spec as { nodeName?: string }).nodeName === 'worker-1');
    const [old] = await eventually(() => onWorker1().length === 1 && ready(onWorker1()[0]) && onWorker1(), 'the daemon pod on worker-1');
    await sim.request('DELETE', `/api/v1/namespaces/default/pods/${old!.metadata.name}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(onWorker1().map((p) => [p.metadata.name, !!p.metadata.deletionTimestamp])).toEqual([[old!.metadata.name, true]]);
    await sim.request('DELETE', `/api/v1/namespaces/default/pods/${old!.metadata.name}?gracePeriodSeconds=0`);
    const next = await eventually(() => onWorker1().length === 1 && onWorker1()[0]!.metadata.name !== old!.metadata.name && onWorker1(), 'its replacement');
    expect(next[0]!.metadata.deletionTimestamp).toBeUndefined();
    await sim.request('DELETE', '/apis/apps/v1/namespaces/default/daemonsets/daemon');
  });

  it('leaves a NotReady node’s pods Terminating until its kubelet is back', async () => {
    await create(pod('stranded', { node: 'worker-2', grace: 1 }));
    await eventually(() => ready(sim.object('pods', 'default', 'stranded')), 'the pod to run');
    const node = sim.object('nodes', undefined, 'worker-2')!;
    const conditions = (node.status as { conditions: { type: string; status: string }[] }).conditions;
    const setReady = (status: string) =>
      sim.request(
        'PATCH',
        '/api/v1/nodes/worker-2/status',
        { status: { conditions: conditions.map((c) => (c.type === 'Ready' ? { ...c, status } : c)) } },
        MERGE,
      );
    await setReady('False');
    await sim.request('DELETE', '/api/v1/namespaces/default/pods/stranded');
    await new Promise((r) => setTimeout(r, 100)); // ten times its grace period
    expect(sim.object('pods', 'default', 'stranded')?.metadata.deletionTimestamp).toEqual(expect.any(String));
    await setReady('True');
    await eventually(() => !sim.object('pods', 'default', 'stranded'), 'the kubelet to finish the deletion');
  });
});

describe('kube-sim: a Job whose pod is deleted while it runs', () => {
  it('counts the pod failed at once (podReplacementPolicy TerminatingOrFailed) and reports it terminating', async () => {
    const sim = await startKubeSim({ masters: 1, workers: 1, upgradeMs: 60_000, rescheduleMs: 20, workload: 'none', gracePeriodScale: 1 });
    try {
      const job = {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'cut' },
        spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
      };
      expect((await sim.request('POST', '/apis/batch/v1/namespaces/default/jobs', job)).status).toBe(201);
      const p = await eventually(() => sim.objects('pods', 'default').find((x) => ready(x)), 'the Job pod to run');
      expect((await sim.request('DELETE', `/api/v1/namespaces/default/pods/${p.metadata.name}`)).status).toBe(200);
      const status = await eventually(async () => {
        const st = (await sim.request('GET', '/apis/batch/v1/namespaces/default/jobs/cut')).body.status;
        return st?.failed === 1 && st;
      }, 'the Job to count the pod failed');
      expect(status).toMatchObject({ active: 0, failed: 1, terminating: 1 });
      expect(status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Failed', reason: 'BackoffLimitExceeded' })]));
      // no replacement: the backoff limit is spent
      expect(sim.objects('pods', 'default')).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });
});

describe('kube-sim: the pods of a node that is gone', () => {
  it('are force-deleted by the pod garbage collector, and its Lease goes with the Node', async () => {
    const sim = await startKubeSim({ masters: 1, workers: 2, upgradeMs: 50, rescheduleMs: 20, workload: 'none', gracePeriodScale: 1 });
    try {
      const p = { ...pod('orphan', { node: 'worker-2', grace: 3600 }) };
      expect((await sim.request('POST', '/api/v1/namespaces/default/pods', p)).status).toBe(201);
      await eventually(() => ready(sim.object('pods', 'default', 'orphan')), 'the pod to run');
      expect(sim.object('leases', 'kube-node-lease', 'worker-2')).toBeDefined();
      expect((await sim.request('DELETE', '/api/v1/nodes/worker-2')).status).toBe(200);
      await eventually(() => !sim.object('pods', 'default', 'orphan'), 'the orphaned pod to go');
      expect(sim.object('leases', 'kube-node-lease', 'worker-2')).toBeUndefined();
    } finally {
      await sim.close();
    }
  });
});

describe('kube-sim: a namespace being deleted', () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 1, upgradeMs: 50, rescheduleMs: 20, workload: 'none' });
  });
  afterAll(() => sim?.close());

  it('goes Terminating with the kubernetes finalizer, refuses new content, empties itself, then disappears', async () => {
    const ns = await sim.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'temp' } });
    expect(ns.body).toMatchObject({
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
      metadata: { labels: { 'kubernetes.io/metadata.name': 'temp' } },
    });
    for (const name of ['a', 'b']) {
      // 1 s of grace (1000 simulated seconds): long enough to see both pods terminating at once
      expect((await sim.request('POST', '/api/v1/namespaces/temp/pods', { ...pod(name, { grace: 1000 }), metadata: { name } })).status).toBe(201);
    }
    await eventually(() => sim.objects('pods', 'temp').every(ready), 'the pods to run');

    const del = await sim.request('DELETE', '/api/v1/namespaces/temp');
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({
      kind: 'Namespace',
      metadata: { deletionTimestamp: expect.any(String) },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Terminating' },
    });
    const refused = await sim.request('POST', '/api/v1/namespaces/temp/pods', { ...pod('c'), metadata: { name: 'c' } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      reason: 'Forbidden',
      message: 'pods "c" is forbidden: unable to create new content in namespace temp because it is being terminated',
      details: { causes: [{ reason: 'NamespaceTerminating', field: 'metadata.namespace' }] },
    });
    // its objects are still there (a client deleting them now finds them), then terminate gracefully
    expect(sim.objects('pods', 'temp')).toHaveLength(2);
    expect((await sim.request('DELETE', '/api/v1/namespaces/temp/pods/a')).status).toBe(200);
    await eventually(
      () => sim.objects('pods', 'temp').length === 2 && sim.objects('pods', 'temp').every((p) => !!p.metadata.deletionTimestamp),
      'the controller to delete the rest',
    );
    await eventually(() => !sim.object('namespaces', undefined, 'temp'), 'the namespace to go');
    expect(sim.objects('pods', 'temp')).toEqual([]);
  });

  it('waits for content a finalizer holds, unless its own finalizer is lifted through namespaces/finalize', async () => {
    await sim.request('POST', '/api/v1/namespaces', { metadata: { name: 'stuck' } });
    const held = { ...pod('held', { finalizers: ['example.com/hold'] }), metadata: { name: 'held', finalizers: ['example.com/hold'] } };
    expect((await sim.request('POST', '/api/v1/namespaces/stuck/pods', held)).status).toBe(201);
    await sim.request('DELETE', '/api/v1/namespaces/stuck');
    await eventually(() => sim.object('pods', 'stuck', 'held')?.metadata.deletionGracePeriodSeconds === 0, 'the held pod to be done');
    await new Promise((r) => setTimeout(r, 600)); // past the controller's notice
    expect(sim.object('namespaces', undefined, 'stuck')?.status).toEqual({ phase: 'Terminating' });
    const ns = (await sim.request('GET', '/api/v1/namespaces/stuck')).body;
    const r = await sim.request('PUT', '/api/v1/namespaces/stuck/finalize', { ...ns, spec: { finalizers: [] } });
    expect(r.status).toBe(200);
    expect(sim.object('namespaces', undefined, 'stuck')).toBeUndefined();
  });
});
