import { loadDefinition } from '../../src/workflow/localEngine.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { startKubeSim, type KubeObject, type KubeSim } from '../../local/kube-sim/index.js';
import type { ClusterDriver, DrainPass } from '../../src/kube/clusterDriver.js';
import { ClusterApiError, ClusterForbiddenError, ClusterTlsError, ClusterUnauthorizedError, ClusterUnreachableError } from '../../src/kube/errors.js';
import { DEFAULT_RETRY_LIMITS } from '../../src/domain/retryPolicy.js';
import { createKubernetesDriver } from '../../src/kube/k8sDriver.js';
import { ANNOTATION_CORDONED_BY, UPGRADE_NAMESPACE } from '../../src/domain/clusterMarks.js';
import { eventually } from '../helpers/eventually.js';

const MERGE = { contentType: 'application/merge-patch+json' };
const UPG = 'upg-20261125-abc123';

const nodeOf = (p: KubeObject) => (p.spec as { nodeName?: string }).nodeName;
const isWrite = (m: string) => m !== 'GET';

describe('k8s driver: nodes and cordons against the simulated cluster over HTTPS', () => {
  let sim: KubeSim;
  let driver: ClusterDriver;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 3, workers: 4, version: '1.30.4', upgradeMs: 50, rescheduleMs: 50, workload: 'none' });
    driver = createKubernetesDriver(sim.kubeconfig);
  });
  afterAll(() => sim?.close());

  it('reads the server version and the nodes with roles, versions and readiness, writing nothing', async () => {
    const before = sim.requests.length;
    expect(await driver.serverVersion()).toBe('1.30.4');
    const nodes = await driver.listNodes();
    expect(nodes.map((n) => [n.name, n.role])).toEqual([
      ['master-1', 'master'],
      ['master-2', 'master'],
      ['master-3', 'master'],
      ['worker-1', 'worker'],
      ['worker-2', 'worker'],
      ['worker-3', 'worker'],
      ['worker-4', 'worker'],
    ]);
    expect(nodes.every((n) => n.kubeletVersion === '1.30.4' && n.ready && !n.unschedulable)).toBe(true);
    expect(nodes[0]!.labels['kubernetes.io/hostname']).toBe('master-1');
    expect(nodes[0]!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await driver.getNode('worker-2')).role).toBe('worker');
    expect(sim.requests.slice(before).filter((r) => isWrite(r.method))).toEqual([]);
  });

  it('keeps its connections alive: many requests, one or two TLS connections, not one each', async () => {
    const fresh = createKubernetesDriver(sim.kubeconfig);
    const before = sim.tlsConnections;
    // one after another, as a step makes them (concurrent requests may each take a connection of the pool)
    for (let i = 0; i < 20; i++) await fresh.getNode('worker-1');
    await fresh.listNodes();
    expect(sim.tlsConnections - before).toBeLessThanOrEqual(2);
  });

  it('reports a node NotReady from its Ready condition', async () => {
    const node = sim.object('nodes', undefined, 'worker-4')!;
    const conditions = (node.status as { conditions: { type: string; status: string }[] }).conditions.map((c) =>
      c.type === 'Ready' ? { ...c, status: 'False' } : c,
    );
    await sim.request('PATCH', '/api/v1/nodes/worker-4/status', { status: { conditions } }, MERGE);
    expect((await driver.getNode('worker-4')).ready).toBe(false);
  });

  it('cordons with one merge patch that records the upgrade id, and a retry is idempotent', async () => {
    const before = sim.requests.length;
    expect(await driver.cordon('worker-1', UPG)).toEqual({ cordonedByUs: true });
    const patches = sim.requests.slice(before).filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(1);
    const node = sim.object('nodes', undefined, 'worker-1')!;
    expect((node.spec as { unschedulable?: boolean }).unschedulable).toBe(true);
    expect(node.metadata.annotations?.[ANNOTATION_CORDONED_BY]).toBe(UPG);

    const again = sim.requests.length;
    expect(await driver.cordon('worker-1', UPG)).toEqual({ cordonedByUs: true });
    expect(sim.requests.slice(again).filter((r) => r.method === 'PATCH')).toHaveLength(0);
    expect((await driver.getNode('worker-1')).unschedulable).toBe(true);
  });

  it('leaves a node an operator cordoned alone, and never uncordons it', async () => {
    await sim.request('PATCH', '/api/v1/nodes/worker-2', { spec: { unschedulable: true } }, MERGE);
    expect(await driver.cordon('worker-2', UPG)).toEqual({ cordonedByUs: false });
    expect(sim.object('nodes', undefined, 'worker-2')!.metadata.annotations?.[ANNOTATION_CORDONED_BY]).toBeUndefined();
    expect(await driver.uncordon('worker-2', UPG)).toBe(false);
    expect((await driver.getNode('worker-2')).unschedulable).toBe(true);
  });

  it('takes over a cordon an ended upgrade left, with a patch guarded by the resourceVersion, so it can undo it', async () => {
    // Prepare: an earlier upgrade cordoned the node and ended without giving it back (its Job failed, then it was cancelled)
    expect(await driver.cordon('worker-3', 'upg-ended')).toEqual({ cordonedByUs: true });
    const rv = sim.object('nodes', undefined, 'worker-3')!.metadata.resourceVersion;
    const before = sim.requests.length;

    // Act
    expect(await driver.cordon('worker-3', UPG)).toEqual({ cordonedByUs: true, adoptedFrom: 'upg-ended' });

    // Assess: one guarded patch rewrote the annotation; the node stayed cordoned throughout
    expect(sim.requests.slice(before).filter((r) => isWrite(r.method))).toEqual([
      {
        method: 'PATCH',
        path: '/api/v1/nodes/worker-3',
        query: {},
        body: { metadata: { annotations: { [ANNOTATION_CORDONED_BY]: UPG }, resourceVersion: rv } },
      },
    ]);
    expect(sim.object('nodes', undefined, 'worker-3')!.metadata.annotations?.[ANNOTATION_CORDONED_BY]).toBe(UPG);
    expect((await driver.getNode('worker-3')).unschedulable).toBe(true);
    expect(await driver.cordon('worker-3', UPG)).toEqual({ cordonedByUs: true });
    expect(await driver.uncordon('worker-3', 'upg-ended')).toBe(false);
    expect(await driver.uncordon('worker-3', UPG)).toBe(true);
    expect((await driver.getNode('worker-3')).unschedulable).toBe(false);
  });

  it('uncordons what it cordoned, removing its annotation; a second uncordon does nothing', async () => {
    expect(await driver.uncordon('worker-1', UPG)).toBe(true);
    const node = sim.object('nodes', undefined, 'worker-1')!;
    expect((node.spec as { unschedulable?: boolean }).unschedulable).toBeFalsy();
    expect(node.metadata.annotations ?? {}).not.toHaveProperty([ANNOTATION_CORDONED_BY]);
    expect(await driver.uncordon('worker-1', UPG)).toBe(false);
  });

  it('guards the cordon patch with the resourceVersion it read, so a concurrent change is never overwritten', async () => {
    const rv = sim.object('nodes', undefined, 'worker-1')!.metadata.resourceVersion;
    const before = sim.requests.length;
    await driver.cordon('worker-1', UPG);
    const writes = sim.requests.slice(before).filter((r) => isWrite(r.method));
    expect(writes).toEqual([
      {
        method: 'PATCH',
        path: '/api/v1/nodes/worker-1',
        query: {},
        body: { metadata: { annotations: { [ANNOTATION_CORDONED_BY]: UPG }, resourceVersion: rv }, spec: { unschedulable: true } },
      },
    ]);
    // and the server refuses such a patch once the node has moved on
    const stale = await sim.request('PATCH', '/api/v1/nodes/worker-1', { metadata: { resourceVersion: rv }, spec: { unschedulable: false } }, MERGE);
    expect(stale.status).toBe(409);
    expect((await driver.getNode('worker-1')).unschedulable).toBe(true);
    expect(await driver.uncordon('worker-1', UPG)).toBe(true);
  });

  it('fails with ClusterUnauthorizedError when the token is wrong', async () => {
    const bad = createKubernetesDriver(sim.kubeconfig.replace(sim.token, 'not-the-token'));
    const err = await bad.listNodes().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterUnauthorizedError);
    expect((err as Error).name).toBe('Kupgrade.ClusterUnauthorized');
    expect((err as Error).message).toContain(sim.url);
  });
});

describe('k8s driver: drain through the Eviction API', () => {
  let sim: KubeSim;
  let driver: ClusterDriver;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 3, upgradeMs: 50, rescheduleMs: 50, workload: 'demo' });
    driver = createKubernetesDriver(sim.kubeconfig);
  });
  afterAll(() => sim?.close());

  const drainUntilDone = (node: string) =>
    eventually(async () => {
      const pass = await driver.drain(node);
      return pass.done && pass;
    }, `drain of ${node}`);

  it('evicts ReplicaSet and bare pods, keeps DaemonSet pods, and waits on the PDB between passes', async () => {
    const onNode = sim.objects('pods').filter((p) => nodeOf(p) === 'worker-1');
    const daemon = onNode.filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet');
    const movable = onNode.filter((p) => p.metadata.ownerReferences?.[0]?.kind !== 'DaemonSet');
    expect(daemon).toHaveLength(1);
    expect(movable.length).toBeGreaterThan(1);

    await driver.cordon('worker-1', UPG);
    const first = await driver.drain('worker-1');
    // web allows one disruption at a time: two web pods on the node cannot both go in one pass
    expect(first.evicted.length).toBeGreaterThan(0);
    expect(first.done).toBe(false);
    expect(first.blockers[0]).toMatchObject({ pdb: 'web', message: expect.stringContaining('The disruption budget web needs') });

    const evicted = new Set(first.evicted);
    const last: DrainPass = await eventually(async () => {
      const pass = await driver.drain('worker-1');
      pass.evicted.forEach((p) => evicted.add(p));
      return pass.done && pass;
    }, 'the drain to finish');
    expect(last.remaining).toEqual([]);
    expect([...evicted].sort()).toEqual(movable.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort());

    const left = sim.objects('pods').filter((p) => nodeOf(p) === 'worker-1');
    expect(left.map((p) => p.metadata.name)).toEqual(daemon.map((p) => p.metadata.name));
    // the workload came back elsewhere; the bare pod is simply gone
    await eventually(
      () => sim.objects('pods', 'default').filter((p) => p.metadata.labels?.app === 'web' && (p.status as { phase?: string }).phase === 'Running').length === 6,
      'web back at 6',
    );
    expect(
      sim
        .objects('pods', 'default')
        .filter((p) => p.metadata.labels?.app === 'web')
        .every((p) => nodeOf(p) !== 'worker-1'),
    ).toBe(true);
    expect(sim.object('pods', 'default', 'debug-shell')).toBeUndefined();
    await driver.uncordon('worker-1', UPG);
  });

  it('names the blocking PDB when a budget allows no disruption at all', async () => {
    const pdb = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'api-never' },
      spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'api' } } },
    };
    expect((await sim.request('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', pdb)).status).toBe(201);
    const apiPod = sim.objects('pods', 'default').find((p) => p.metadata.labels?.app === 'api')!;
    const node = nodeOf(apiPod)!;
    await driver.cordon(node, UPG);
    let pass: DrainPass | undefined;
    for (let i = 0; i < 5; i++) {
      pass = await driver.drain(node);
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(pass!.done).toBe(false);
    expect(pass!.remaining).toContain(`default/${apiPod.metadata.name}`);
    // with the budget's namespace and the disruptions it allows (issue 17), for the node's wait
    expect(pass!.blockers).toContainEqual({
      pod: `default/${apiPod.metadata.name}`,
      namespace: 'default',
      pdb: 'api-never',
      disruptionsAllowed: 0,
      message: 'The disruption budget api-never needs 3 healthy pods and has 3 currently',
    });
    await sim.request('DELETE', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/api-never');
    await drainUntilDone(node);
    await driver.uncordon(node, UPG);
  });

  it('deletes finished pods directly and leaves upgrade Job pods and mirror pods in place', async () => {
    const mk = (name: string, extra: Record<string, unknown>) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, ...extra },
      spec: { nodeName: 'worker-3', containers: [{ name: 'c', image: 'x' }] },
    });
    await sim.request('POST', '/api/v1/namespaces/kube-system/pods', mk('etcd-static', { annotations: { 'kubernetes.io/config.mirror': 'abc' } }));
    await sim.request('POST', '/api/v1/namespaces/default/pods', mk('done-job', {}));
    await eventually(() => (sim.object('pods', 'default', 'done-job')?.status as { phase?: string } | undefined)?.phase === 'Running', 'pod running');
    await sim.request('PATCH', '/api/v1/namespaces/default/pods/done-job/status', { status: { phase: 'Succeeded' } }, MERGE);

    await driver.cordon('worker-3', UPG);
    const pass = await drainUntilDone('worker-3');
    expect(pass.remaining).toEqual([]);
    expect(sim.object('pods', 'default', 'done-job')).toBeUndefined();
    expect(sim.object('pods', 'kube-system', 'etcd-static')).toBeDefined();
    const deletes = sim.requests.filter((r) => r.method === 'DELETE' && r.path === '/api/v1/namespaces/default/pods/done-job');
    expect(deletes).toHaveLength(1);
    await driver.uncordon('worker-3', UPG);
  });
});

describe('k8s driver: lists in pages', () => {
  let sim: KubeSim;
  let driver: ClusterDriver;
  const pageSize = 2;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 3, workers: 4, version: '1.30.4', upgradeMs: 50, rescheduleMs: 50, workload: 'demo' });
    driver = createKubernetesDriver(sim.kubeconfig, { pageSize });
  });
  afterAll(() => sim?.close());

  const listsOf = (from: number, path: string) => sim.requests.slice(from).filter((r) => r.method === 'GET' && r.path === path);

  it('lists nodes page by page: limit, then each continue token until there is none', async () => {
    const before = sim.requests.length;
    const nodes = await driver.listNodes();
    expect(nodes.map((n) => n.name)).toEqual(['master-1', 'master-2', 'master-3', 'worker-1', 'worker-2', 'worker-3', 'worker-4']);
    const pages = listsOf(before, '/api/v1/nodes');
    expect(pages.map((r) => r.query.limit)).toEqual(['2', '2', '2', '2']);
    expect(pages.map((r) => !!r.query.continue)).toEqual([false, true, true, true]);
  });

  it('reads the snapshot’s nodes, pods and budgets in pages, missing none', async () => {
    const before = sim.requests.length;
    const snapshot = await driver.readClusterState();
    const pods = sim.objects('pods');
    expect(pods.length).toBeGreaterThan(2 * pageSize);
    expect(snapshot.pods.ok && snapshot.pods.value.map((p) => `${p.namespace}/${p.name}`).sort()).toEqual(
      pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort(),
    );
    expect(snapshot.nodes.ok && snapshot.nodes.value).toHaveLength(7);
    expect(listsOf(before, '/api/v1/pods').length).toBe(Math.ceil(pods.length / pageSize));
    expect(listsOf(before, '/api/v1/pods').every((r) => r.query.limit === '2')).toBe(true);
  });

  it('drains a node whose pods fill several pages', async () => {
    const node = 'worker-2';
    const onNode = sim.objects('pods').filter((p) => nodeOf(p) === node);
    expect(onNode.length).toBeGreaterThan(pageSize);
    await driver.cordon(node, UPG);
    const before = sim.requests.length;
    const pass = await driver.drain(node);
    const lists = listsOf(before, '/api/v1/pods').filter((r) => r.query.fieldSelector === `spec.nodeName=${node}`);
    // one paged list before the evictions, one after
    expect(lists.filter((r) => !r.query.continue)).toHaveLength(2);
    expect(lists.length).toBeGreaterThan(2);
    expect([...pass.evicted, ...pass.blockers.map((b) => b.pod)].sort()).toEqual(
      onNode
        .filter((p) => p.metadata.ownerReferences?.[0]?.kind !== 'DaemonSet')
        .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
        .sort(),
    );
    await eventually(async () => (await driver.drain(node)).done, 'the drain');
    await driver.uncordon(node, UPG);
  });

  it('reads a list whole again when its continue token expires between pages, as client-go’s pager does', async () => {
    sim.expireNextContinue();
    const before = sim.requests.length;
    expect(await driver.listNodes()).toHaveLength(7);
    const pages = listsOf(before, '/api/v1/nodes');
    expect(pages.map((r) => [r.query.limit, !!r.query.continue])).toEqual([
      ['2', false],
      ['2', true],
      [undefined, false],
    ]);
  });
});

describe('k8s driver: a pod that stays terminating', () => {
  let sim: KubeSim;
  let driver: ClusterDriver;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 2, upgradeMs: 50, rescheduleMs: 20, workload: 'none' });
    driver = createKubernetesDriver(sim.kubeconfig);
  });
  afterAll(() => sim?.close());

  it('reports it as remaining until it is gone, and does not evict it again', async () => {
    // Prepare: a pod on the node that a finalizer keeps after its kubelet is done with it
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stuck', namespace: 'default', finalizers: ['example.com/hold'] },
      spec: { nodeName: 'worker-1', containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
    };
    expect((await sim.request('POST', '/api/v1/namespaces/default/pods', pod)).status).toBe(201);
    await eventually(() => (sim.object('pods', 'default', 'stuck')?.status as { phase?: string } | undefined)?.phase === 'Running', 'the pod to run');
    await driver.cordon('worker-1', UPG);
    const evictions = () => sim.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/namespaces/default/pods/stuck/eviction').length;

    // Act and assess: evicted once, then terminating pass after pass
    const first = await driver.drain('worker-1');
    // the pass says which of the pods left are terminating already (issue 17: the node waits on PodTerminating)
    expect(first).toEqual({ done: false, evicted: ['default/stuck'], remaining: ['default/stuck'], terminating: ['default/stuck'], blockers: [] });
    await eventually(() => sim.object('pods', 'default', 'stuck')?.metadata.deletionGracePeriodSeconds === 0, 'its kubelet to be done with it');
    for (let i = 0; i < 3; i++)
      expect(await driver.drain('worker-1')).toEqual({ done: false, evicted: [], remaining: ['default/stuck'], terminating: ['default/stuck'], blockers: [] });
    expect(evictions()).toBe(1);

    await sim.request('PATCH', '/api/v1/namespaces/default/pods/stuck', { metadata: { finalizers: null } }, MERGE);
    expect(await driver.drain('worker-1')).toEqual({ done: true, evicted: [], remaining: [], terminating: [], blockers: [] });
    expect(evictions()).toBe(1);
    await driver.uncordon('worker-1', UPG);
  });
});

describe('k8s driver: upgrade Jobs', () => {
  let sim: KubeSim;
  let driver: ClusterDriver;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 2, version: '1.30.4', upgradeMs: 50, rescheduleMs: 20, workload: 'none' });
    driver = createKubernetesDriver(sim.kubeconfig);
  });
  afterAll(() => sim?.close());

  it('creates one Job per (upgrade, node): the second ensure is created:false', async () => {
    expect(await driver.upgradeJobStatus(UPG, 'master-1')).toMatchObject({ phase: 'absent' });
    const spec = { upgradeId: UPG, node: 'master-1', role: 'first-master' as const, targetVersion: '1.31.2' };
    const a = await driver.ensureUpgradeJob(spec);
    const b = await driver.ensureUpgradeJob(spec);
    expect(a.created).toBe(true);
    expect(b).toEqual({ name: a.name, created: false });
    expect(sim.objects('jobs', UPGRADE_NAMESPACE)).toHaveLength(1);
    expect(sim.object('namespaces', undefined, UPGRADE_NAMESPACE)).toBeDefined();

    const job = sim.objects('jobs', UPGRADE_NAMESPACE)[0]!;
    const jspec = job.spec as any;
    expect(job.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'kupgrade', 'kupgrade.io/upgrade-id': UPG, 'kupgrade.io/node': 'master-1' });
    expect(jspec.backoffLimit).toBe(0);
    expect(jspec.ttlSecondsAfterFinished).toBeUndefined();
    const pod = jspec.template.spec;
    expect(pod).toMatchObject({ nodeName: 'master-1', restartPolicy: 'Never', hostPID: true, hostNetwork: true, tolerations: [{ operator: 'Exists' }] });
    expect(pod.containers[0].securityContext).toEqual({ privileged: true });
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'host-root', mountPath: '/host' }]);
    expect(pod.containers[0].env).toEqual([
      { name: 'TARGET_VERSION', value: '1.31.2' },
      { name: 'NODE_NAME', value: 'master-1' },
      { name: 'NODE_ROLE', value: 'first-master' },
    ]);
    expect(pod.containers[0].command.join(' ')).toContain('kubeadm upgrade apply');
  });

  it('reports the Job running, then succeeded, with the node at the target and the server version bumped', async () => {
    const status = await eventually(async () => {
      const s = await driver.upgradeJobStatus(UPG, 'master-1');
      return s.phase === 'succeeded' && s;
    }, 'the Job to succeed');
    expect(status.name).toMatch(/^kupgrade-[0-9a-f]{10}-master-1$/);
    // how long it ran, from the Job's own startTime and completionTime (whole seconds): what the next batch's polls are timed by
    expect(Number.isInteger(status.ranSeconds)).toBe(true);
    expect(status.ranSeconds).toBeGreaterThanOrEqual(0);
    const node = await driver.getNode('master-1');
    expect(node.kubeletVersion).toBe('1.31.2');
    expect(node.ready).toBe(true);
    expect(await driver.serverVersion()).toBe('1.31.2');
  });

  it('reports a failed Job with a message naming the node and the cause', async () => {
    await sim.request('PATCH', '/api/v1/nodes/worker-1', { metadata: { annotations: { 'kupgrade.io/sim-fail-upgrade': 'true' } } }, MERGE);
    await driver.ensureUpgradeJob({ upgradeId: UPG, node: 'worker-1', role: 'worker', targetVersion: '1.31.2' });
    const status = await eventually(async () => {
      const s = await driver.upgradeJobStatus(UPG, 'worker-1');
      return s.phase === 'failed' && s;
    }, 'the Job to fail');
    expect(status.message).toContain('worker-1');
    expect(status.message).toContain('BackoffLimitExceeded');
    expect(status.message).toContain('sim-fail-upgrade');
    expect((await driver.getNode('worker-1')).kubeletVersion).toBe('1.30.4');
  });

  it('gives a retry its own Job, so the failed one stays readable', async () => {
    await sim.request('PATCH', '/api/v1/nodes/worker-1', { metadata: { annotations: { 'kupgrade.io/sim-fail-upgrade': null } } }, MERGE);
    const retry = await driver.ensureUpgradeJob({ upgradeId: UPG, node: 'worker-1', role: 'worker', targetVersion: '1.31.2', attempt: 2 });
    expect(retry.created).toBe(true);
    await eventually(async () => (await driver.upgradeJobStatus(UPG, 'worker-1', 2)).phase === 'succeeded', 'the retry to succeed');
    expect((await driver.upgradeJobStatus(UPG, 'worker-1')).phase).toBe('failed');
    expect((await driver.getNode('worker-1')).kubeletVersion).toBe('1.31.2');
  });

  it("deletes only the given upgrade's Jobs and pods, then every kupgrade Job and pod", async () => {
    await driver.ensureUpgradeJob({ upgradeId: 'upg-other', node: 'worker-2', role: 'worker', targetVersion: '1.31.2' });
    await eventually(
      () => sim.objects('pods', UPGRADE_NAMESPACE).some((p) => p.metadata.labels?.['kupgrade.io/upgrade-id'] === 'upg-other'),
      'the other Job pod',
    );

    expect(await driver.deleteUpgradeJobs(UPG)).toBeGreaterThanOrEqual(3);
    expect(sim.objects('jobs', UPGRADE_NAMESPACE).map((j) => j.metadata.labels?.['kupgrade.io/upgrade-id'])).toEqual(['upg-other']);
    expect(sim.objects('pods', UPGRADE_NAMESPACE).every((p) => p.metadata.labels?.['kupgrade.io/upgrade-id'] === 'upg-other')).toBe(true);
    expect(sim.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/jobs/')).every((r) => r.query.propagationPolicy === 'Background')).toBe(true);

    expect(await driver.deleteUpgradeJobs()).toBeGreaterThanOrEqual(1);
    expect(sim.objects('jobs', UPGRADE_NAMESPACE)).toEqual([]);
    // a pod still running when its Job went is deleted gracefully by the garbage collector: Terminating, then gone
    expect(sim.objects('pods', UPGRADE_NAMESPACE).filter((p) => !p.metadata.deletionTimestamp)).toEqual([]);
    expect(await driver.deleteUpgradeJobs()).toBe(0);
    await eventually(() => sim.objects('pods', UPGRADE_NAMESPACE).length === 0, 'the terminating pods to be gone');
  });

  it('treats a terminating or missing kube-upgrade namespace as nothing to delete', async () => {
    await sim.request('DELETE', `/api/v1/namespaces/${UPGRADE_NAMESPACE}`);
    expect(sim.object('namespaces', undefined, UPGRADE_NAMESPACE)?.status).toEqual({ phase: 'Terminating' });
    expect(await driver.deleteUpgradeJobs()).toBe(0);
    await eventually(() => !sim.object('namespaces', undefined, UPGRADE_NAMESPACE), 'kube-upgrade to be gone');
    expect(await driver.deleteUpgradeJobs()).toBe(0);
  });

  it('keeps label values valid for node names longer than 63 characters', async () => {
    const long = `ip-10-0-0-1.${'x'.repeat(60)}.compute.internal`;
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: long }, spec: {}, status: sim.object('nodes', undefined, 'worker-2')!.status };
    expect((await sim.request('POST', '/api/v1/nodes', node)).status).toBe(201);
    const r = await driver.ensureUpgradeJob({ upgradeId: UPG, node: long, role: 'worker', targetVersion: '1.31.2' });
    expect(r.name.length).toBeLessThanOrEqual(63);
    const job = sim.object('jobs', UPGRADE_NAMESPACE, r.name)!;
    expect(job.metadata.labels?.['kupgrade.io/node']).toMatch(/^h-[0-9a-f]{40}$/);
    expect(job.metadata.annotations?.['kupgrade.io/node']).toBe(long);
    await eventually(async () => (await driver.upgradeJobStatus(UPG, long)).phase === 'succeeded', 'the long-named node upgrade');
  });
});

/** The Task states whose Retry names this error. */
function tasksRetrying(errorName: string): string[] {
  const states = Object.entries(loadDefinition().States) as [string, { Type: string; Retry?: { ErrorEquals: string[] }[] }][];
  return states.filter(([, s]) => s.Type === 'Task' && (s.Retry ?? []).some((r) => r.ErrorEquals.includes(errorName))).map(([name]) => name);
}

describe('k8s driver: unreachable or untrusted servers', () => {
  it('maps a refused connection to ClusterUnreachableError naming the URL', async () => {
    const sim = await startKubeSim({ masters: 1, workers: 0, workload: 'none' });
    const kubeconfig = sim.kubeconfig;
    const url = sim.url;
    await sim.close();
    const err = await createKubernetesDriver(kubeconfig)
      .listNodes()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterUnreachableError);
    expect((err as ClusterUnreachableError).name).toBe('Kupgrade.ClusterUnreachable');
    expect((err as ClusterUnreachableError).message).toContain(url);
    expect((err as ClusterUnreachableError).message).toContain('ECONNREFUSED');
    expect((err as ClusterUnreachableError).remedy).toContain(url);
    // the state machine's Retry policy, not the error, decides: every phase Task retries an unreachable cluster
    expect(tasksRetrying((err as ClusterUnreachableError).name)).toEqual(['Begin', 'Precheck', 'Master', 'NodeBatch', 'Cleanup']);
  });

  it('maps a hung server to ClusterUnreachableError after the request timeout', async () => {
    const sockets: Socket[] = [];
    const hung = createServer((s) => void sockets.push(s)); // accepts TCP, never answers the TLS handshake
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const port = (hung.address() as { port: number }).port;
    const sim = await startKubeSim({ masters: 1, workers: 0, workload: 'none' });
    const kubeconfig = sim.kubeconfig.replace(sim.url, `https://127.0.0.1:${port}`);
    await sim.close();
    try {
      const err = await createKubernetesDriver(kubeconfig, { requestTimeoutMs: 300 })
        .listNodes()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterUnreachableError);
      expect((err as Error).message).toContain('timed out');
    } finally {
      sockets.forEach((s) => s.destroy());
      hung.close();
    }
  });

  it('verifies TLS against the kubeconfig CA: another CA is rejected with ClusterTlsError', async () => {
    const a = await startKubeSim({ masters: 1, workers: 0, workload: 'none' });
    const b = await startKubeSim({ masters: 1, workers: 0, workload: 'none' });
    try {
      const caOfB = /certificate-authority-data: (\S+)/.exec(b.kubeconfig)![1]!;
      const wrongCa = a.kubeconfig.replace(/certificate-authority-data: \S+/, `certificate-authority-data: ${caOfB}`);
      const err = await createKubernetesDriver(wrongCa)
        .listNodes()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterTlsError);
      expect(err).toBeInstanceOf(ClusterUnreachableError);
      expect((err as Error).name).toBe('Kupgrade.ClusterTlsFailed');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

/** A fault kube-sim answers in place of the real server: true when it took the request. */
type Fault = (req: IncomingMessage, res: ServerResponse) => boolean;
const statusAnswer = (res: ServerResponse, code: number, reason: string, headers: Record<string, string> = {}, details?: object) => {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `injected ${code}`, reason, code, ...(details ? { details } : {}) }));
};

describe('k8s driver: transient answers (429, 5xx, dropped connections) tried again', () => {
  let sim: KubeSim;
  let driver: ClusterDriver;
  let fault: Fault | undefined;
  /** when each request to a faulted path reached the server */
  const seen: { method: string; path: string; at: number }[] = [];
  /** answers `times` requests matching method and path with `answer`, then lets them through */
  const failFirst = (times: number, method: string, path: string, answer: (res: ServerResponse, req: IncomingMessage) => void): Fault => {
    let left = times;
    return (req, res) => {
      const url = new URL(req.url ?? '/', 'https://sim');
      if (req.method !== method || url.pathname !== path) return false;
      seen.push({ method, path, at: Date.now() });
      if (left === 0) return false;
      left--;
      answer(res, req);
      return true;
    };
  };
  const hits = (method: string, path: string) => seen.filter((s) => s.method === method && s.path === path);

  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 2, version: '1.30.4', workload: 'none', intercept: async (req, res) => fault?.(req, res) ?? false });
    driver = createKubernetesDriver(sim.kubeconfig);
  });
  afterAll(() => sim?.close());
  afterEach(() => {
    fault = undefined;
  });

  it('waits out a 429 with Retry-After: 1, then the read succeeds', async () => {
    fault = failFirst(1, 'GET', '/api/v1/nodes/worker-1', (res) => statusAnswer(res, 429, 'TooManyRequests', { 'Retry-After': '1' }, { retryAfterSeconds: 1 }));
    expect((await driver.getNode('worker-1')).name).toBe('worker-1');
    const tries = hits('GET', '/api/v1/nodes/worker-1');
    expect(tries).toHaveLength(2);
    // the server asked for a second: the retry came no sooner
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('tries a cordon patch again after a 500: the node ends cordoned by one patch that landed', async () => {
    fault = failFirst(1, 'PATCH', '/api/v1/nodes/worker-2', (res) => statusAnswer(res, 500, 'InternalError'));
    expect(await driver.cordon('worker-2', UPG)).toEqual({ cordonedByUs: true });
    expect(hits('PATCH', '/api/v1/nodes/worker-2')).toHaveLength(2);
    const node = sim.object('nodes', undefined, 'worker-2')!;
    expect((node.spec as { unschedulable?: boolean }).unschedulable).toBe(true);
    expect(node.metadata.annotations?.[ANNOTATION_CORDONED_BY]).toBe(UPG);
    expect(await driver.uncordon('worker-2', UPG)).toBe(true);
  });

  it('tries a list again after a dropped connection', async () => {
    fault = failFirst(1, 'GET', '/api/v1/nodes', (_res, req) => req.socket.destroy());
    expect((await driver.listNodes()).map((n) => n.name)).toEqual(['master-1', 'worker-1', 'worker-2']);
    expect(hits('GET', '/api/v1/nodes')).toHaveLength(2);
  });

  it('gives up after the bounded retries of a server that always answers 500, with the usual ClusterApiError', async () => {
    fault = failFirst(Infinity, 'GET', '/version', (res) => statusAnswer(res, 500, 'InternalError'));
    const err = await driver.serverVersion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterApiError);
    expect(err).toMatchObject({ name: 'Kupgrade.ClusterApiError', code: 500, statusReason: 'InternalError' });
    expect(hits('GET', '/version')).toHaveLength(DEFAULT_RETRY_LIMITS.retries + 1);
  });

  it('does not try again what will not change: a 403 is sent once', async () => {
    fault = failFirst(Infinity, 'GET', '/api/v1/nodes/master-1', (res) => statusAnswer(res, 403, 'Forbidden'));
    await expect(driver.getNode('master-1')).rejects.toBeInstanceOf(ClusterForbiddenError);
    expect(hits('GET', '/api/v1/nodes/master-1')).toHaveLength(1);
  });

  it("never retries nor waits on an eviction a PodDisruptionBudget refused; an API rate limit's 429 on it is waited out", async () => {
    // Prepare: a running pod on worker-1 whose budget allows no disruption
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'guarded', labels: { app: 'guarded' } },
      spec: { nodeName: 'worker-1', containers: [{ name: 'c', image: 'x' }] },
    };
    expect((await sim.request('POST', '/api/v1/namespaces/default/pods', pod)).status).toBe(201);
    await eventually(() => (sim.object('pods', 'default', 'guarded')?.status as { phase?: string } | undefined)?.phase === 'Running', 'pod running');
    const pdb = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'guarded' },
      spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'guarded' } } },
    };
    expect((await sim.request('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', pdb)).status).toBe(201);
    const eviction = '/api/v1/namespaces/default/pods/guarded/eviction';
    fault = failFirst(0, 'POST', eviction, () => undefined); // counts the evictions, answers none

    // Act: one pass against the budget
    const refused = await driver.drain('worker-1');

    // Assess: one eviction, reported as the budget's blocker
    expect(hits('POST', eviction)).toHaveLength(1);
    expect(refused.blockers).toEqual([expect.objectContaining({ pod: 'default/guarded', pdb: 'guarded' })]);

    // Act: the budget gone, the first eviction meets the API's rate limit
    await sim.request('DELETE', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/guarded');
    fault = failFirst(1, 'POST', eviction, (res) => statusAnswer(res, 429, 'TooManyRequests', { 'Retry-After': '1' }));
    const pass = await driver.drain('worker-1');

    // Assess: tried again in the same pass, and the pod evicted
    expect(hits('POST', eviction)).toHaveLength(3);
    expect(pass.evicted).toEqual(['default/guarded']);
    expect(pass.blockers).toEqual([]);
  });
});
