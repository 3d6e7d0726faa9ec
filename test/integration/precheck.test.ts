import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startKubeSim, type KubeSim } from '../../local/kube-sim/index.js';
import type { ClusterDriver } from '../../src/kube/clusterDriver.js';
import { createKubernetesDriver } from '../../src/kube/k8sDriver.js';
import { ANNOTATION_SIM_FAIL_UPGRADE, ANNOTATION_SIM_SWAP } from '../../local/kube-sim/annotations.js';
import type { CheckResult } from '../../src/domain/upgrade.js';
import { readAndCheck } from '../../src/checks/readAndCheck.js';
import { annotateNode, cordonByOperator, pinUnevictablePod, setNodeReady } from '../helpers/simOps.js';
import { eventually } from '../helpers/eventually.js';

const TARGET = '1.31.10';

async function must(sim: KubeSim, method: string, path: string, body?: unknown, contentType?: string): Promise<void> {
  const res = await sim.request(method, path, body, contentType ? { contentType } : undefined);
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}
const merge = 'application/merge-patch+json';

/** A pod pinned to a node with no controller, shaped by `spec`. */
const podOn = (name: string, node: string, spec: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: 'default', labels: { app: name } },
  spec: { nodeName: node, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }], ...spec },
});

async function setNodeCondition(sim: KubeSim, node: string, type: string, status: 'True' | 'False'): Promise<void> {
  const cur = (await sim.request('GET', `/api/v1/nodes/${node}`)).body as { status: { conditions: { type: string; status: string }[] } };
  const conditions = cur.status.conditions.map((c) => (c.type === type ? { ...c, status } : c));
  await must(sim, 'PATCH', `/api/v1/nodes/${node}/status`, { status: { conditions } }, merge);
}

describe('precheck against the simulated cluster', () => {
  let sim: KubeSim;
  let driver: ClusterDriver;
  const run = async (target = TARGET) => (await readAndCheck(driver, target, 'c1')).report;
  const result = async (name: string, target = TARGET): Promise<CheckResult> => (await run(target)).results.find((r) => r.name === name)!;

  beforeAll(async () => {
    sim = await startKubeSim({ masters: 3, workers: 3, version: '1.30.4', upgradeMs: 30, rescheduleMs: 20, workload: 'demo' });
    driver = createKubernetesDriver(sim.kubeconfig);
  });
  afterAll(async () => sim?.close());

  it('passes the demo cluster with one warning (its bare pod), reading it with GETs only', async () => {
    // Prepare
    const from = sim.requests.length;
    // Act
    const report = await run();
    // Assess
    const seen = sim.requests.slice(from);
    expect(seen.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(seen.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        '/readyz',
        '/api/v1/pods',
        '/apis/policy/v1/poddisruptionbudgets',
        '/api/v1/nodes/worker-1/proxy/configz',
        '/apis/batch/v1/namespaces/kube-upgrade/jobs',
      ]),
    );
    expect(report.status).toBe('passed');
    expect(report.results.filter((r) => r.status !== 'pass').map((r) => [r.name, r.status])).toEqual([['bare-pods', 'warn']]);
    expect(report.results.find((r) => r.name === 'bare-pods')!.message).toContain('default/debug-shell');
    expect(report.results.find((r) => r.name === 'control-plane-health')!.message).toContain('on all 3 master(s)');
  });

  it('target-version: fails outside the catalog and when skipping a minor', async () => {
    expect(await result('target-version', '1.31.2')).toMatchObject({ status: 'fail', message: expect.stringContaining('not in the version catalog') });
    expect(await result('target-version', '1.32.6')).toMatchObject({ status: 'fail', message: expect.stringContaining('skips') });
  });

  it('api-server: fails when /readyz is not ok, naming the failed check', async () => {
    sim.failReadyz('etcd');
    try {
      expect(await result('api-server')).toMatchObject({ status: 'fail', message: expect.stringContaining('etcd'), remedy: expect.any(String) });
    } finally {
      sim.failReadyz(undefined);
    }
    expect(await result('api-server')).toMatchObject({ status: 'pass' });
  });

  it('api-server: fails when the API server is unreachable, and the report is still whole', async () => {
    // Prepare: the same credentials pointed at a port nothing listens on
    const dead = createKubernetesDriver(sim.kubeconfig.replace(sim.url, 'https://127.0.0.1:1'), { requestTimeoutMs: 2000 });
    // Act
    const { report } = await readAndCheck(dead, TARGET, 'c1');
    // Assess
    expect(report.status).toBe('failed');
    expect(report.results).toHaveLength(15);
    expect(report.results[0]).toMatchObject({ name: 'api-server', status: 'fail', message: expect.stringContaining('could not be read') });
  });

  it('nodes-ready: fails on a NotReady node and warns naming a cordoned one', async () => {
    await setNodeReady(sim, 'worker-3', false);
    try {
      expect(await result('nodes-ready')).toMatchObject({ status: 'fail', message: 'nodes not Ready: worker-3' });
    } finally {
      await setNodeReady(sim, 'worker-3', true);
    }
    await cordonByOperator(sim, 'worker-2');
    try {
      expect(await result('nodes-ready')).toMatchObject({ status: 'warn', message: expect.stringContaining('worker-2') });
    } finally {
      await must(sim, 'PATCH', '/api/v1/nodes/worker-2', { spec: { unschedulable: null } }, merge);
    }
  });

  it('kubelet-skew: fails on a kubelet too far behind the target, and passes once it is back', async () => {
    const setKubelet = (v: string) => must(sim, 'PATCH', '/api/v1/nodes/worker-1/status', { status: { nodeInfo: { kubeletVersion: v } } }, merge);
    await setKubelet('v1.27.16');
    try {
      expect(await result('kubelet-skew')).toMatchObject({ status: 'fail', message: expect.stringContaining('worker-1: kubelet 1.27.16 is 4 minors behind') });
    } finally {
      await setKubelet('v1.30.4');
    }
    expect(await result('kubelet-skew')).toMatchObject({ status: 'pass' });
  });

  it("control-plane-health: fails when a master's scheduler pod is not Ready", async () => {
    const path = '/api/v1/namespaces/kube-system/pods/kube-scheduler-master-2/status';
    const conditions = (ready: string) => ({
      status: {
        conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
          type,
          status: type === 'Ready' || type === 'ContainersReady' ? ready : 'True',
        })),
      },
    });
    await must(sim, 'PATCH', path, conditions('False'), merge);
    try {
      expect(await result('control-plane-health')).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('kube-scheduler on master-2: Running, not Ready'),
      });
    } finally {
      await must(sim, 'PATCH', path, conditions('True'), merge);
    }
    expect(await result('control-plane-health')).toMatchObject({ status: 'pass' });
  });

  it('removed-apis: fails naming each object last applied or managed with a removed version', async () => {
    // Prepare: a PDB kubectl-applied as policy/v1beta1, a ReplicaSet a tool wrote as extensions/v1beta1
    const applied = JSON.stringify({ apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'legacy', namespace: 'default' } });
    await must(sim, 'POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      metadata: { name: 'legacy', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': applied } },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'legacy' } } },
    });
    await must(sim, 'POST', '/apis/apps/v1/namespaces/default/replicasets', {
      metadata: {
        name: 'old-rs',
        managedFields: [{ manager: 'old-tool', operation: 'Update', apiVersion: 'extensions/v1beta1', fieldsType: 'FieldsV1', fieldsV1: {} }],
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'old-rs' } },
        template: { metadata: { labels: { app: 'old-rs' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } },
      },
    });
    try {
      // Act
      const r = await result('removed-apis');
      // Assess
      expect(r.status).toBe('fail');
      expect(r.message).toContain('PodDisruptionBudget default/legacy (policy/v1beta1, removed in 1.25, use policy/v1; last-applied)');
      expect(r.message).toContain('ReplicaSet default/old-rs (extensions/v1beta1, removed in 1.16, use apps/v1; managedFields)');
    } finally {
      await must(sim, 'DELETE', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/legacy');
      await must(sim, 'DELETE', '/apis/apps/v1/namespaces/default/replicasets/old-rs');
    }
    expect(await result('removed-apis')).toMatchObject({ status: 'pass' });
  });

  it('pdb-blockers: fails on a zero-budget PDB and on pods covered by two PDBs', async () => {
    await pinUnevictablePod(sim, 'worker-1', 'pinned');
    await must(sim, 'POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      metadata: { name: 'web-again' },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } },
    });
    try {
      await eventually(() => sim.object('poddisruptionbudgets', 'default', 'pinned-never')?.status, 'the PDB status');
      const r = await result('pdb-blockers');
      expect(r).toMatchObject({ status: 'fail', message: expect.stringContaining('default/pinned-never (maxUnavailable 0)') });
      expect(r.message).toMatch(/pods covered by several PDBs: default\/web-\S+ \(web, web-again\)/);
    } finally {
      await must(sim, 'DELETE', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/pinned-never');
      await must(sim, 'DELETE', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/web-again');
      await must(sim, 'DELETE', '/api/v1/namespaces/default/pods/pinned');
    }
    expect(await result('pdb-blockers')).toMatchObject({ status: 'pass' });
  });

  it('local-storage and flexvolume-oss: warn naming pods with emptyDir or FlexVolume OSS volumes', async () => {
    await must(sim, 'POST', '/api/v1/namespaces/default/pods', podOn('scratch', 'worker-2', { volumes: [{ name: 'tmp', emptyDir: {} }] }));
    await must(
      sim,
      'POST',
      '/api/v1/namespaces/default/pods',
      podOn('oss-reader', 'worker-3', { volumes: [{ name: 'bucket', flexVolume: { driver: 'alicloud/oss', options: { bucket: 'b' } } }] }),
    );
    try {
      const report = await run();
      expect(report.status).toBe('passed');
      expect(report.results.find((r) => r.name === 'local-storage')).toMatchObject({
        status: 'warn',
        message: expect.stringContaining('default/scratch (tmp)'),
      });
      expect(report.results.find((r) => r.name === 'flexvolume-oss')).toMatchObject({ status: 'warn', message: expect.stringContaining('default/oss-reader') });
    } finally {
      await must(sim, 'DELETE', '/api/v1/namespaces/default/pods/scratch');
      await must(sim, 'DELETE', '/api/v1/namespaces/default/pods/oss-reader');
    }
  });

  it('helper-leftovers: fails naming a failed upgrade Job and its pod left in kube-upgrade', async () => {
    // Prepare: an earlier attempt whose Job failed on worker-3
    await annotateNode(sim, 'worker-3', { [ANNOTATION_SIM_FAIL_UPGRADE]: 'true' });
    const { name } = await driver.ensureUpgradeJob({ upgradeId: 'upg-earlier', node: 'worker-3', role: 'worker', targetVersion: TARGET });
    await eventually(async () => (await driver.upgradeJobStatus('upg-earlier', 'worker-3')).phase === 'failed', 'the Job to fail');
    try {
      // Act
      const r = await result('helper-leftovers');
      // Assess
      expect(r).toMatchObject({ status: 'fail', message: expect.stringContaining(`Job ${name}`), remedy: expect.stringContaining('delete') });
      expect(r.message).toMatch(new RegExp(`pod kube-upgrade/${name}-\\S+`));
    } finally {
      await driver.deleteUpgradeJobs('upg-earlier');
      await annotateNode(sim, 'worker-3', { [ANNOTATION_SIM_FAIL_UPGRADE]: null });
    }
    await eventually(() => sim.objects('pods', 'kube-upgrade').length === 0, 'the helper pods to go');
    expect(await result('helper-leftovers')).toMatchObject({ status: 'pass' });
  });

  it('swap: warns on a node whose kubelet runs with swap, and when configz cannot be read', async () => {
    await annotateNode(sim, 'worker-2', { [ANNOTATION_SIM_SWAP]: 'true' });
    try {
      expect(await result('swap')).toMatchObject({ status: 'warn', message: expect.stringContaining('worker-2 (LimitedSwap)') });
    } finally {
      await annotateNode(sim, 'worker-2', { [ANNOTATION_SIM_SWAP]: null });
    }
    await setNodeReady(sim, 'worker-1', false);
    try {
      expect(await result('swap')).toMatchObject({ status: 'warn', message: expect.stringMatching(/configz could not be read on worker-1: HTTP 503/) });
    } finally {
      await setNodeReady(sim, 'worker-1', true);
    }
    expect(await result('swap')).toMatchObject({ status: 'pass', message: 'swap is off on all 6 nodes' });
  });

  it('node-pressure: fails on a node reporting DiskPressure', async () => {
    await setNodeCondition(sim, 'worker-1', 'DiskPressure', 'True');
    try {
      expect(await result('node-pressure')).toMatchObject({ status: 'fail', message: 'nodes under resource pressure: worker-1 (DiskPressure)' });
    } finally {
      await setNodeCondition(sim, 'worker-1', 'DiskPressure', 'False');
    }
    expect(await result('node-pressure')).toMatchObject({ status: 'pass' });
  });

  it("node-headroom: warns when requests leave less than 20% of a node's CPU", async () => {
    await must(
      sim,
      'POST',
      '/api/v1/namespaces/default/pods',
      podOn('hog', 'worker-2', {
        containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '3500m', memory: '1Gi' } } }],
      }),
    );
    try {
      expect(await result('node-headroom')).toMatchObject({ status: 'warn', message: expect.stringMatching(/worker-2 \(CPU \d+%, memory \d+% free\)/) });
    } finally {
      await must(sim, 'DELETE', '/api/v1/namespaces/default/pods/hog?gracePeriodSeconds=0');
    }
    expect(await result('node-headroom')).toMatchObject({ status: 'pass' });
  });
});

describe('precheck on a cluster with no workload', () => {
  it('passes every check, bare-pods and local-storage included', async () => {
    const sim = await startKubeSim({ masters: 1, workers: 2, workload: 'none' });
    try {
      const { report } = await readAndCheck(createKubernetesDriver(sim.kubeconfig), TARGET, 'c1');
      expect(report.results.filter((r) => r.status !== 'pass')).toEqual([]);
      expect(report.status).toBe('passed');
    } finally {
      await sim.close();
    }
  });
});
