import { createHash } from 'node:crypto';
import { ANNOTATION_MIRROR_POD, CONTROL_PLANE_LABELS } from '../../src/kube/labels.js';
import type { SimRuntime } from './runtime.js';
import type { KubeObject, ObjectStore } from './store.js';

/** The kubeadm static pods of a control-plane node: component name, image and what it requests. */
const COMPONENTS = [
  { component: 'kube-apiserver', cpu: '250m', memory: '256Mi', versioned: true },
  { component: 'kube-controller-manager', cpu: '200m', memory: '128Mi', versioned: true },
  { component: 'kube-scheduler', cpu: '100m', memory: '64Mi', versioned: true },
  { component: 'etcd', cpu: '100m', memory: '100Mi', versioned: false },
] as const;

const ETCD_IMAGE = 'registry.k8s.io/etcd:3.5.15-0';
const imageOf = (component: string, version: string, versioned: boolean) =>
  versioned ? `registry.k8s.io/${component}:v${version.replace(/^v/, '')}` : ETCD_IMAGE;

const isMaster = (node: KubeObject) => CONTROL_PLANE_LABELS.some((l) => l in (node.metadata.labels ?? {}));
const kubeletVersionOf = (node: KubeObject) => (node.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion ?? '';

/**
 * A mirror pod as the kubelet posts it for a static manifest: owned by its
 * Node, annotated as a mirror, pinned to the node. Created Pending; the
 * simulated kubelet starts it like any bound pod.
 */
function staticPod(node: KubeObject, c: (typeof COMPONENTS)[number], version: string): KubeObject {
  const nodeName = node.metadata.name;
  const name = `${c.component}-${nodeName}`;
  return {
    metadata: {
      name,
      namespace: 'kube-system',
      labels: { component: c.component, tier: 'control-plane' },
      annotations: {
        [ANNOTATION_MIRROR_POD]: createHash('md5').update(name).digest('hex'),
        'kubernetes.io/config.source': 'file',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid!, controller: true }],
    },
    spec: {
      nodeName,
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
      containers: [{ name: c.component, image: imageOf(c.component, version, c.versioned), resources: { requests: { cpu: c.cpu, memory: c.memory } } }],
    },
    status: { phase: 'Pending' },
  };
}

/** Seeds the control-plane static pods of every master in kube-system, as kubeadm leaves them. */
export function seedControlPlane(store: ObjectStore): void {
  for (const node of store.list('nodes', undefined, isMaster)) {
    for (const c of COMPONENTS) store.create('pods', staticPod(node, c, kubeletVersionOf(node)));
  }
}

/**
 * `kubeadm upgrade` rewrites a master's static manifests with the new image
 * tags before its kubelet is upgraded; here the images follow the kubelet
 * version the upgrade Job sets, so the apiservers' versions stay readable.
 */
export function startControlPlaneController(rt: SimRuntime): void {
  const { store } = rt;
  const reconcile = (nodeName: string) => {
    const node = store.get('nodes', undefined, nodeName);
    if (!node) return;
    const version = kubeletVersionOf(node);
    for (const c of COMPONENTS.filter((x) => x.versioned)) {
      store.mutate('pods', 'kube-system', `${c.component}-${nodeName}`, (p) => {
        for (const container of (p.spec as { containers: { image?: string }[] }).containers) container.image = imageOf(c.component, version, true);
      });
    }
  };
  store.onChange((e) => {
    if (e.resource !== 'nodes' || e.type !== 'MODIFIED' || !isMaster(e.object) || !e.old) return;
    if (kubeletVersionOf(e.object) !== kubeletVersionOf(e.old)) rt.enqueue(`control-plane:${e.object.metadata.name}`, () => reconcile(e.object.metadata.name));
  });
}
