import { readOk, type ClusterSnapshot, type SnapshotNode, type SnapshotPdb, type SnapshotPod } from '../../src/domain/clusterSnapshot.js';

/** A healthy 1.30.4 cluster as plain snapshot data: one master with its control plane, two workers; override parts per test. */
export function node(name: string, over: Partial<SnapshotNode> = {}): SnapshotNode {
  return {
    name,
    role: name.startsWith('master') ? 'master' : 'worker',
    kubeletVersion: '1.30.4',
    ready: true,
    unschedulable: false,
    labels: {},
    annotations: {},
    trueConditions: ['Ready'],
    allocatable: { cpuMillis: 4000, memoryBytes: 16 * 2 ** 30 },
    kubeletSwap: readOk({ failSwapOn: true }),
    ...over,
  };
}

export function pod(namespace: string, name: string, over: Partial<SnapshotPod> = {}): SnapshotPod {
  return {
    namespace,
    name,
    node: 'worker-1',
    phase: 'Running',
    ready: true,
    labels: {},
    controllerKinds: ['ReplicaSet'],
    mirror: false,
    emptyDirVolumes: [],
    flexVolumes: [],
    requests: { cpuMillis: 10, memoryBytes: 16 * 2 ** 20 },
    images: ['registry.k8s.io/pause:3.10'],
    ...over,
  };
}

export function controlPlanePods(master: string, version = '1.30.4'): SnapshotPod[] {
  return ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'].map((c) =>
    pod('kube-system', `${c}-${master}`, {
      node: master,
      labels: { component: c, tier: 'control-plane' },
      controllerKinds: ['Node'],
      mirror: true,
      images: [c === 'etcd' ? 'registry.k8s.io/etcd:3.5.15-0' : `registry.k8s.io/${c}:v${version}`],
    }),
  );
}

export function pdb(name: string, over: Partial<SnapshotPdb> = {}): SnapshotPdb {
  return {
    namespace: 'default',
    name,
    selector: { matchLabels: { app: name } },
    maxUnavailable: 1,
    disruptionsAllowed: 1,
    currentHealthy: 3,
    desiredHealthy: 2,
    expectedPods: 3,
    ...over,
  };
}

export function snapshot(over: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    serverVersion: readOk('1.30.4'),
    readyz: readOk({ ok: true, failed: [] }),
    nodes: readOk([node('master-1'), node('worker-1'), node('worker-2')]),
    pods: readOk([...controlPlanePods('master-1'), pod('default', 'web-1', { labels: { app: 'web' } })]),
    pdbs: readOk([pdb('web')]),
    helperJobs: readOk([]),
    lease: readOk(null),
    recorded: { objects: [], unreadable: [] },
    ...over,
  };
}
