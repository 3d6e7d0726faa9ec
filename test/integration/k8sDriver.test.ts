import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Socket } from 'node:net';
import { startKubeSim, type KubeObject, type KubeSim } from '../../local/kube-sim/index.js';
import type { ClusterDriver, DrainPass } from '../../src/cluster/clusterDriver.js';
import { ClusterTlsError, ClusterUnauthorizedError, ClusterUnreachableError } from '../../src/cluster/errors.js';
import { createKubernetesDriver } from '../../src/cluster/k8sDriver.js';
import { ANNOTATION_CORDONED_BY, UPGRADE_NAMESPACE } from '../../src/cluster/labels.js';
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

  it('reports a node NotReady from its Ready condition', async () => {
    const node = sim.object('nodes', undefined, 'worker-4')!;
    const conditions = (node.status as { conditions: { type: string; status: string }[] }).conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
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
      { method: 'PATCH', path: '/api/v1/nodes/worker-3', query: {}, body: { metadata: { annotations: { [ANNOTATION_CORDONED_BY]: UPG }, resourceVersion: rv } } },
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
    await eventually(() => sim.objects('pods', 'default').filter((p) => p.metadata.labels?.app === 'web' && (p.status as { phase?: string }).phase === 'Running').length === 6, 'web back at 6');
    expect(sim.objects('pods', 'default').filter((p) => p.metadata.labels?.app === 'web').every((p) => nodeOf(p) !== 'worker-1')).toBe(true);
    expect(sim.object('pods', 'default', 'debug-shell')).toBeUndefined();
    await driver.uncordon('worker-1', UPG);
  });

  it('names the blocking PDB when a budget allows no disruption at all', async () => {
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api-never' }, spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'api' } } } };
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
    expect(pass!.blockers).toContainEqual({ pod: `default/${apiPod.metadata.name}`, pdb: 'api-never', message: 'The disruption budget api-never needs 3 healthy pods and has 3 currently' });
    await sim.request('DELETE', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/api-never');
    await drainUntilDone(node);
    await driver.uncordon(node, UPG);
  });

  it('deletes finished pods directly and leaves upgrade Job pods and mirror pods in place', async () => {
    const mk = (name: string, extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...extra }, spec: { nodeName: 'worker-3', containers: [{ name: 'c', image: 'x' }] } });
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

  it('deletes only the given upgrade\'s Jobs and pods, then every kupgrade Job and pod', async () => {
    await driver.ensureUpgradeJob({ upgradeId: 'upg-other', node: 'worker-2', role: 'worker', targetVersion: '1.31.2' });
    await eventually(() => sim.objects('pods', UPGRADE_NAMESPACE).some((p) => p.metadata.labels?.['kupgrade.io/upgrade-id'] === 'upg-other'), 'the other Job pod');

    expect(await driver.deleteUpgradeJobs(UPG)).toBeGreaterThanOrEqual(3);
    expect(sim.objects('jobs', UPGRADE_NAMESPACE).map((j) => j.metadata.labels?.['kupgrade.io/upgrade-id'])).toEqual(['upg-other']);
    expect(sim.objects('pods', UPGRADE_NAMESPACE).every((p) => p.metadata.labels?.['kupgrade.io/upgrade-id'] === 'upg-other')).toBe(true);
    expect(sim.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/jobs/')).every((r) => r.query.propagationPolicy === 'Background')).toBe(true);

    expect(await driver.deleteUpgradeJobs()).toBeGreaterThanOrEqual(1);
    expect(sim.objects('jobs', UPGRADE_NAMESPACE)).toEqual([]);
    expect(sim.objects('pods', UPGRADE_NAMESPACE)).toEqual([]);
    expect(await driver.deleteUpgradeJobs()).toBe(0);
  });

  it('treats a missing kube-upgrade namespace as nothing to delete', async () => {
    await sim.request('DELETE', `/api/v1/namespaces/${UPGRADE_NAMESPACE}`);
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

describe('k8s driver: unreachable or untrusted servers', () => {
  it('maps a refused connection to ClusterUnreachableError naming the URL', async () => {
    const sim = await startKubeSim({ masters: 1, workers: 0, workload: 'none' });
    const kubeconfig = sim.kubeconfig;
    const url = sim.url;
    await sim.close();
    const err = await createKubernetesDriver(kubeconfig).listNodes().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterUnreachableError);
    expect((err as ClusterUnreachableError).name).toBe('Kupgrade.ClusterUnreachable');
    expect((err as ClusterUnreachableError).message).toContain(url);
    expect((err as ClusterUnreachableError).message).toContain('ECONNREFUSED');
    expect((err as ClusterUnreachableError).remedy).toContain(url);
    expect((err as ClusterUnreachableError).retryable).toBe(true);
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
      const err = await createKubernetesDriver(kubeconfig, { requestTimeoutMs: 300 }).listNodes().catch((e: unknown) => e);
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
      const err = await createKubernetesDriver(wrongCa).listNodes().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterTlsError);
      expect(err).toBeInstanceOf(ClusterUnreachableError);
      expect((err as Error).name).toBe('Kupgrade.ClusterTlsFailed');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
