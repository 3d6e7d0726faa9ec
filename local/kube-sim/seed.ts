import type { ObjectStore, KubeObject } from './store.js';
import { now } from './pods.js';

export interface SeedNodesOptions {
  masters: number;
  workers: number;
  version: string;
  /** the name of worker i (1-based): worker-i unless given, e.g. the long DNS names cloud providers give */
  workerName?: (i: number) => string;
}

/** master-1..N and worker-1..N, shaped like kubeadm nodes reported by their kubelets. */
function nodeObject(name: string, role: 'master' | 'worker', index: number, version: string): KubeObject {
  const t = now();
  const ip = role === 'master' ? `10.0.0.${10 + index}` : `10.0.${1 + Math.floor(index / 250)}.${(index % 250) + 1}`;
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: t,
    lastTransitionTime: t,
  });
  return {
    metadata: {
      name,
      labels: {
        // a label value has at most 63 characters: a long node name's hostname label is its first part, as a kubelet sets it
        'kubernetes.io/hostname': name.length <= 63 ? name : name.split('.')[0]!.slice(0, 63),
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        ...(role === 'master' ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
      },
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: `10.244.${index}.0/24`,
      podCIDRs: [`10.244.${index}.0/24`],
      ...(role === 'master' ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
    },
    status: {
      capacity: { cpu: '4', memory: '16374584Ki', pods: '110', 'ephemeral-storage': '101430960Ki' },
      allocatable: { cpu: '4', memory: '16272184Ki', pods: '110', 'ephemeral-storage': '93478772582' },
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: name.padEnd(32, '0').slice(0, 32),
        systemUUID: name,
        bootID: name,
        kernelVersion: '6.8.0-45-generic',
        osImage: 'Ubuntu 24.04.1 LTS',
        containerRuntimeVersion: 'containerd://1.7.22',
        kubeletVersion: `v${version}`,
        kubeProxyVersion: `v${version}`,
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

export function seedNodes(store: ObjectStore, o: SeedNodesOptions): void {
  for (let i = 1; i <= o.masters; i++) store.create('nodes', nodeObject(`master-${i}`, 'master', i, o.version));
  for (let i = 1; i <= o.workers; i++) store.create('nodes', nodeObject(o.workerName?.(i) ?? `worker-${i}`, 'worker', o.masters + i, o.version));
}

export function seedNamespaces(store: ObjectStore, names: string[]): void {
  for (const name of names) {
    if (!store.get('namespaces', undefined, name)) {
      store.create('namespaces', {
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    }
  }
}

const container = (name: string, image: string) => ({ name, image, imagePullPolicy: 'IfNotPresent', resources: { requests: { cpu: '10m', memory: '16Mi' } } });

function replicaSet(namespace: string, name: string, replicas: number, labels: Record<string, string>): KubeObject {
  return {
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [container(name, 'registry.k8s.io/pause:3.10')], restartPolicy: 'Always' } },
    },
  };
}

function daemonSet(namespace: string, name: string, labels: Record<string, string>): KubeObject {
  return {
    metadata: { name, namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [container(name, 'registry.k8s.io/kube-proxy:v1.30.4')], tolerations: [{ operator: 'Exists' }], hostNetwork: true },
      },
    },
  };
}

function pdb(
  namespace: string,
  name: string,
  matchLabels: Record<string, string>,
  budget: { minAvailable?: number | string; maxUnavailable?: number | string },
): KubeObject {
  return { metadata: { name, namespace }, spec: { selector: { matchLabels }, ...budget } };
}

/**
 * The demo workload: a web ReplicaSet spread over the workers with a PDB that
 * lets a tenth of its pods go at a time (one on small clusters), a smaller api ReplicaSet, a DaemonSet on every
 * node and a bare pod.
 */
export function seedDemoWorkload(store: ObjectStore, workers: number): void {
  const web = Math.max(1, 2 * workers);
  store.create('replicasets', replicaSet('default', 'web-7d4b9c', web, { app: 'web' }));
  // a budget as teams write them: a tenth of the pods may be down at once (at least one), so a batch's drains take turns
  store.create('poddisruptionbudgets', pdb('default', 'web', { app: 'web' }, { maxUnavailable: web >= 20 ? '10%' : 1 }));
  store.create('replicasets', replicaSet('default', 'api-5f6d8b', Math.max(1, Math.min(3, workers)), { app: 'api' }));
  store.create('daemonsets', daemonSet('kube-system', 'kube-proxy', { 'k8s-app': 'kube-proxy' }));
  store.create('pods', {
    metadata: { name: 'debug-shell', namespace: 'default', labels: { run: 'debug-shell' } },
    spec: { containers: [container('debug-shell', 'docker.io/library/busybox:1.36')], restartPolicy: 'Always' },
    status: { phase: 'Pending' },
  });
}
