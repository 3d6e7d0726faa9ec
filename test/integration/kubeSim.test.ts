import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startKubeSim, type KubeObject, type KubeSim } from '../../local/kube-sim/index.js';
import { eventually } from '../helpers/eventually.js';

const run = promisify(execFile);

const MERGE = { contentType: 'application/merge-patch+json' };

const nodeOf = (p: KubeObject) => (p.spec as { nodeName?: string }).nodeName;
const phase = (p: KubeObject) => (p.status as { phase?: string } | undefined)?.phase;
const ready = (p: KubeObject) =>
  phase(p) === 'Running' &&
  ((p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

function upgradeJob(name: string, node: string, role: string, target: string) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'kupgrade' } },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          nodeName: node,
          restartPolicy: 'Never',
          tolerations: [{ operator: 'Exists' }],
          containers: [
            {
              name: 'upgrade',
              image: 'alpine:3.20',
              env: [
                { name: 'TARGET_VERSION', value: target },
                { name: 'NODE_NAME', value: node },
                { name: 'NODE_ROLE', value: role },
              ],
            },
          ],
        },
      },
    },
  };
}

describe('kube-sim: API server behaviour', () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 3, version: '1.30.4', upgradeMs: 50, rescheduleMs: 50, workload: 'demo' });
  });
  afterAll(() => sim?.close());

  it('refuses a request without the bearer token with a 401 Status, and serves /readyz and /version', async () => {
    const r = await sim.request('GET', '/api/v1/nodes', undefined, { token: null });
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toContain('application/json');
    expect(r.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 });
    expect((await sim.request('GET', '/api/v1/nodes', undefined, { token: 'wrong' })).status).toBe(401);
    expect((await sim.request('GET', '/readyz')).body).toBe('ok');
    expect((await sim.request('GET', '/version')).body).toMatchObject({ gitVersion: 'v1.30.4', major: '1', minor: '30' });
  });

  it('answers a missing object with a NotFound Status like kube-apiserver', async () => {
    const r = await sim.request('GET', '/api/v1/namespaces/default/pods/nope');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: 'pods "nope" not found',
      details: { name: 'nope', kind: 'pods' },
    });
    const job = await sim.request('POST', '/apis/batch/v1/namespaces/missing/jobs', upgradeJob('x', 'worker-1', 'worker', '1.31.0'));
    expect(job.status).toBe(404);
    expect(job.body.message).toBe('namespaces "missing" not found');
  });

  it('serves nodes with roles, taints, conditions and versions, and filters by label and field selectors', async () => {
    const nodes = (await sim.request('GET', '/api/v1/nodes')).body;
    expect(nodes.kind).toBe('NodeList');
    expect(nodes.items.map((n: KubeObject) => n.metadata.name)).toEqual(['master-1', 'worker-1', 'worker-2', 'worker-3']);
    const master = nodes.items[0];
    expect(master.metadata.labels['node-role.kubernetes.io/control-plane']).toBe('');
    expect(master.spec.taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    expect(master.status.nodeInfo.kubeletVersion).toBe('v1.30.4');
    expect(master.metadata).toEqual(
      expect.objectContaining({ uid: expect.any(String), resourceVersion: expect.any(String), creationTimestamp: expect.any(String) }),
    );

    const masters = (await sim.request('GET', '/api/v1/nodes?labelSelector=node-role.kubernetes.io%2Fcontrol-plane')).body.items;
    expect(masters.map((n: KubeObject) => n.metadata.name)).toEqual(['master-1']);
    const workers = (await sim.request('GET', '/api/v1/nodes?labelSelector=!node-role.kubernetes.io%2Fcontrol-plane')).body.items;
    expect(workers).toHaveLength(3);

    const onW1 = (await sim.request('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dworker-1')).body.items as KubeObject[];
    expect(onW1.length).toBeGreaterThan(0);
    expect(onW1.every((p) => nodeOf(p) === 'worker-1')).toBe(true);
    const web = (await sim.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%20in%20(web)')).body.items as KubeObject[];
    expect(web).toHaveLength(6);
    // one kube-proxy pod per node, masters included (it tolerates every taint)
    const ds = (await sim.request('GET', '/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-proxy')).body.items as KubeObject[];
    expect(ds.map(nodeOf).sort()).toEqual(['master-1', 'worker-1', 'worker-2', 'worker-3']);
  });

  it('serves discovery generated from its resource registry', async () => {
    expect((await sim.request('GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await sim.request('GET', '/apis')).body.groups.map((g: { name: string }) => g.name);
    expect(groups).toEqual(['apps', 'batch', 'policy', 'coordination.k8s.io', 'events.k8s.io']);
    const core = (await sim.request('GET', '/api/v1')).body.resources.map((r: { name: string }) => r.name);
    expect(core).toEqual(expect.arrayContaining(['nodes', 'nodes/status', 'nodes/proxy', 'pods', 'pods/eviction', 'namespaces']));
    const policy = (await sim.request('GET', '/apis/policy/v1')).body.resources;
    expect(policy).toContainEqual(
      expect.objectContaining({ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, shortNames: ['pdb'] }),
    );
  });

  it('answers kubectl (a client we did not write): get nodes, get pods -A, cordon', async () => {
    const env = { ...process.env, KUBECONFIG: sim.kubeconfigPath };
    const nodes = await run('kubectl', ['get', 'nodes', '-o', 'name'], { env });
    expect(nodes.stdout.trim().split('\n')).toEqual(['node/master-1', 'node/worker-1', 'node/worker-2', 'node/worker-3']);
    const pods = await run('kubectl', ['get', 'pods', '-A', '--no-headers'], { env });
    expect(pods.stdout).toContain('kube-proxy-');
    expect(pods.stdout).toContain('debug-shell');
    await run('kubectl', ['cordon', 'worker-2'], { env });
    expect((sim.object('nodes', undefined, 'worker-2')!.spec as { unschedulable?: boolean }).unschedulable).toBe(true);
    await run('kubectl', ['uncordon', 'worker-2'], { env });
    expect((sim.object('nodes', undefined, 'worker-2')!.spec as { unschedulable?: boolean }).unschedulable).toBeFalsy();
  });

  it('patches a node with a merge patch and its status only through the status subresource', async () => {
    const r = await sim.request('PATCH', '/api/v1/nodes/worker-3', { metadata: { annotations: { note: 'x' } }, status: { conditions: [] } }, MERGE);
    expect(r.status).toBe(200);
    expect(r.body.metadata.annotations.note).toBe('x');
    expect(r.body.status.conditions.length).toBeGreaterThan(0); // status ignored on the main resource

    const cur = sim.object('nodes', undefined, 'worker-3')!;
    const conditions = (cur.status as { conditions: { type: string; status: string }[] }).conditions.map((c) =>
      c.type === 'Ready' ? { ...c, status: 'False', reason: 'KubeletNotReady' } : c,
    );
    const s = await sim.request('PATCH', '/api/v1/nodes/worker-3/status', { status: { conditions }, metadata: { annotations: { ignored: 'y' } } }, MERGE);
    expect(s.status).toBe(200);
    const after = sim.object('nodes', undefined, 'worker-3')!;
    expect((after.status as { conditions: { type: string; status: string }[] }).conditions.find((c) => c.type === 'Ready')!.status).toBe('False');
    expect(after.metadata.annotations).not.toHaveProperty('ignored');

    const stale = await sim.request(
      'PATCH',
      '/api/v1/nodes/worker-3',
      { metadata: { resourceVersion: cur.metadata.resourceVersion }, spec: { unschedulable: true } },
      MERGE,
    );
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });

    await sim.request('PATCH', '/api/v1/nodes/worker-3/status', { status: { conditions: (cur.status as { conditions: unknown[] }).conditions } }, MERGE);
  });
});

describe('kube-sim: eviction and disruption budgets', () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 3, upgradeMs: 50, rescheduleMs: 300, workload: 'none' });
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'guarded' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'guarded' } },
        template: { metadata: { labels: { app: 'guarded' } }, spec: { containers: [{ name: 'c', image: 'pause' }] } },
      },
    };
    expect((await sim.request('POST', '/apis/apps/v1/namespaces/default/replicasets', rs)).status).toBe(201);
    const movable = {
      ...rs,
      metadata: { name: 'movable' },
      spec: {
        ...rs.spec,
        replicas: 3,
        selector: { matchLabels: { app: 'movable' } },
        template: { metadata: { labels: { app: 'movable' } }, spec: rs.spec.template.spec },
      },
    };
    expect((await sim.request('POST', '/apis/apps/v1/namespaces/default/replicasets', movable)).status).toBe(201);
    const pdb = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'guarded-pdb' },
      spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'guarded' } } },
    };
    expect((await sim.request('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', pdb)).status).toBe(201);
    const movablePdb = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'movable-pdb' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'movable' } } },
    };
    expect((await sim.request('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', movablePdb)).status).toBe(201);
    await eventually(() => sim.objects('pods', 'default').filter(ready).length === 5, 'the ReplicaSets to be Ready');
  });
  afterAll(() => sim?.close());

  it('computes PDB status from the pods its selector covers', async () => {
    const pdb = await eventually(async () => {
      const b = (await sim.request('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/movable-pdb')).body;
      return b.status?.currentHealthy === 3 && b;
    }, 'PDB status');
    expect(pdb.status).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 });
    const guarded = (await sim.request('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/guarded-pdb')).body;
    expect(guarded.status).toMatchObject({ currentHealthy: 2, desiredHealthy: 2, expectedPods: 2, disruptionsAllowed: 0 });
  });

  it('refuses an eviction that would break a budget with 429 and a DisruptionBudget cause', async () => {
    const pod = sim.objects('pods', 'default').find((p) => p.metadata.labels?.app === 'guarded')!;
    const r = await sim.request('POST', `/api/v1/namespaces/default/pods/${pod.metadata.name}/eviction`, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: pod.metadata.name, namespace: 'default' },
    });
    expect(r.status).toBe(429);
    expect(r.body).toEqual(
      expect.objectContaining({
        kind: 'Status',
        status: 'Failure',
        reason: 'TooManyRequests',
        code: 429,
        message: "Cannot evict pod as it would violate the pod's disruption budget.",
        details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget guarded-pdb needs 2 healthy pods and has 2 currently' }] },
      }),
    );
    expect(sim.object('pods', 'default', pod.metadata.name)).toBeDefined();
  });

  it('evicts within budget, and the ReplicaSet brings the pod back under a new name on another schedulable node', async () => {
    await sim.request('PATCH', '/api/v1/nodes/worker-1', { spec: { unschedulable: true } }, MERGE);
    const victim = sim.objects('pods', 'default').find((p) => p.metadata.labels?.app === 'movable' && nodeOf(p) === 'worker-1')!;
    expect(victim).toBeDefined();
    const r = await sim.request('POST', `/api/v1/namespaces/default/pods/${victim.metadata.name}/eviction`, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: victim.metadata.name },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Success' });
    // an eviction is a graceful deletion: the pod is Terminating for its grace period, then gone
    expect(sim.object('pods', 'default', victim.metadata.name)?.metadata).toMatchObject({
      deletionTimestamp: expect.any(String),
      deletionGracePeriodSeconds: 30,
    });
    await eventually(() => !sim.object('pods', 'default', victim.metadata.name), 'the evicted pod to be gone');

    // while the replacement is not Ready, the budget allows no further disruption
    const second = sim.objects('pods', 'default').find((p) => p.metadata.labels?.app === 'movable' && ready(p))!;
    const blocked = await sim.request('POST', `/api/v1/namespaces/default/pods/${second.metadata.name}/eviction`, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: second.metadata.name },
    });
    expect(blocked.status).toBe(429);

    const back = await eventually(() => {
      const pods = sim.objects('pods', 'default').filter((p) => p.metadata.labels?.app === 'movable');
      return pods.length === 3 && pods.every(ready) && pods;
    }, 'the ReplicaSet to recover');
    expect(back.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
    expect(back.every((p) => nodeOf(p) !== 'worker-1')).toBe(true);
    await sim.request('PATCH', '/api/v1/nodes/worker-1', { spec: { unschedulable: null } }, MERGE);
  });

  it('lets a bare pod simply disappear when evicted', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bare' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    expect((await sim.request('POST', '/api/v1/namespaces/default/pods', pod)).status).toBe(201);
    await eventually(() => {
      const p = sim.object('pods', 'default', 'bare');
      return p && ready(p);
    }, 'the bare pod to run');
    expect(
      (await sim.request('POST', '/api/v1/namespaces/default/pods/bare/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'bare' } }))
        .status,
    ).toBe(201);
    await new Promise((r) => setTimeout(r, 150));
    expect(sim.objects('pods', 'default').filter((p) => p.metadata.name.startsWith('bare'))).toHaveLength(0);
  });
});

describe('kube-sim: upgrade Jobs and the simulated kubelet', () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 2, version: '1.30.4', upgradeMs: 50, rescheduleMs: 20, workload: 'none' });
    expect((await sim.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-upgrade' } })).status).toBe(201);
  });
  afterAll(() => sim?.close());

  const jobStatus = async (name: string) => (await sim.request('GET', `/apis/batch/v1/namespaces/kube-upgrade/jobs/${name}`)).body.status ?? {};

  it('runs the Job pod on the named node, upgrades its kubelet and, for the first master, the server version', async () => {
    expect(
      (await sim.request('POST', '/apis/batch/v1/namespaces/kube-upgrade/jobs', upgradeJob('up-master', 'master-1', 'first-master', '1.31.0'))).status,
    ).toBe(201);
    const dup = await sim.request('POST', '/apis/batch/v1/namespaces/kube-upgrade/jobs', upgradeJob('up-master', 'master-1', 'first-master', '1.31.0'));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ reason: 'AlreadyExists', code: 409 });

    const status = await eventually(async () => {
      const s = await jobStatus('up-master');
      return s.succeeded === 1 && s;
    }, 'the Job to succeed');
    expect(status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Complete', status: 'True' })]));
    const pod = sim.objects('pods', 'kube-upgrade').find((p) => p.metadata.labels?.['job-name'] === 'up-master')!;
    expect(nodeOf(pod)).toBe('master-1');
    expect(phase(pod)).toBe('Succeeded');
    expect((sim.object('nodes', undefined, 'master-1')!.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion).toBe('v1.31.0');
    expect((await sim.request('GET', '/version')).body.gitVersion).toBe('v1.31.0');
    expect((sim.object('nodes', undefined, 'worker-1')!.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion).toBe('v1.30.4');
  });

  it('fails the Job when the node carries kupgrade.io/sim-fail-upgrade', async () => {
    await sim.request('PATCH', '/api/v1/nodes/worker-1', { metadata: { annotations: { 'kupgrade.io/sim-fail-upgrade': 'true' } } }, MERGE);
    await sim.request('POST', '/apis/batch/v1/namespaces/kube-upgrade/jobs', upgradeJob('up-w1', 'worker-1', 'worker', '1.31.0'));
    const status = await eventually(async () => {
      const s = await jobStatus('up-w1');
      return s.failed === 1 && (s.conditions ?? []).some((c: { type: string }) => c.type === 'Failed') && s;
    }, 'the Job to fail');
    expect(status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' })]));
    const pod = sim.objects('pods', 'kube-upgrade').find((p) => p.metadata.labels?.['job-name'] === 'up-w1')!;
    expect(phase(pod)).toBe('Failed');
    expect((sim.object('nodes', undefined, 'worker-1')!.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion).toBe('v1.30.4');
  });

  it("deletes a Job's pods with propagationPolicy Background, and orphans them by default like batch/v1", async () => {
    await sim.request('POST', '/apis/batch/v1/namespaces/kube-upgrade/jobs', upgradeJob('up-w2', 'worker-2', 'worker', '1.31.0'));
    await eventually(() => sim.objects('pods', 'kube-upgrade').some((p) => p.metadata.labels?.['job-name'] === 'up-w2'), 'the Job pod');
    const del = await sim.request('DELETE', '/apis/batch/v1/namespaces/kube-upgrade/jobs/up-w2?propagationPolicy=Background');
    expect(del.status).toBe(200);
    expect(sim.object('jobs', 'kube-upgrade', 'up-w2')).toBeUndefined();
    // the garbage collector deletes the running pod as any client would: gracefully
    expect(
      sim
        .objects('pods', 'kube-upgrade')
        .filter((p) => p.metadata.labels?.['job-name'] === 'up-w2')
        .map((p) => !!p.metadata.deletionTimestamp),
    ).toEqual([true]);
    await eventually(() => sim.objects('pods', 'kube-upgrade').every((p) => p.metadata.labels?.['job-name'] !== 'up-w2'), "the Job's pod to be gone");

    await sim.request('DELETE', '/apis/batch/v1/namespaces/kube-upgrade/jobs/up-w1');
    expect(sim.objects('pods', 'kube-upgrade').filter((p) => p.metadata.labels?.['job-name'] === 'up-w1')).toHaveLength(1);

    const coll = await sim.request('DELETE', '/api/v1/namespaces/kube-upgrade/pods?labelSelector=job-name%20in%20(up-w1)');
    expect(coll.status).toBe(200);
    await sim.request(
      'DELETE',
      '/apis/batch/v1/namespaces/kube-upgrade/jobs?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dkupgrade&propagationPolicy=Background',
    );
    expect(sim.objects('jobs')).toHaveLength(0);
    expect(sim.objects('pods', 'kube-upgrade')).toHaveLength(0);
  });

  it('records every request it served', () => {
    expect(sim.requests.some((r) => r.method === 'PATCH' && r.path === '/api/v1/nodes/worker-1')).toBe(true);
    expect(sim.requests.find((r) => r.method === 'DELETE' && r.path.endsWith('/jobs/up-w2'))?.query).toEqual({ propagationPolicy: 'Background' });
  });
});
