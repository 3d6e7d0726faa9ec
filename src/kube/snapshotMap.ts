import type { V1Job, V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type {
  KubeletSwap,
  Read,
  ReadyzState,
  RecordedObject,
  Resources,
  SnapshotJob,
  SnapshotNode,
  SnapshotPdb,
  SnapshotPod,
} from '../domain/clusterSnapshot.js';
import { cpuMillis, memoryBytes } from '../domain/quantity.js';
import type { NodeInfo } from './clusterDriver.js';
import { ANNOTATION_MIRROR_POD } from './labels.js';
import { jobState } from './upgradeJob.js';

/** Kubernetes objects as the precheck's plain snapshot types: only what the checks read, so a large cluster's snapshot stays small. */
export function snapshotNode(info: NodeInfo, n: V1Node, kubeletSwap: Read<KubeletSwap>): SnapshotNode {
  const alloc = n.status?.allocatable ?? {};
  return {
    ...info,
    trueConditions: (n.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type),
    allocatable: { cpuMillis: cpuMillis(alloc.cpu), memoryBytes: memoryBytes(alloc.memory) },
    kubeletSwap,
  };
}

type Requests = Record<string, string> | undefined;
const sum = (list: Requests[]): Resources => ({
  cpuMillis: list.reduce((a, r) => a + cpuMillis(r?.cpu), 0),
  memoryBytes: list.reduce((a, r) => a + memoryBytes(r?.memory), 0),
});

/** As the scheduler counts it: the containers' sum, or the largest init container when that is larger. */
function podRequests(p: V1Pod): Resources {
  const main = sum((p.spec?.containers ?? []).map((c) => c.resources?.requests as Requests));
  const inits = (p.spec?.initContainers ?? []).map((c) => sum([c.resources?.requests as Requests]));
  return {
    cpuMillis: Math.max(main.cpuMillis, ...inits.map((i) => i.cpuMillis)),
    memoryBytes: Math.max(main.memoryBytes, ...inits.map((i) => i.memoryBytes)),
  };
}

export function snapshotPod(p: V1Pod): SnapshotPod {
  const volumes = p.spec?.volumes ?? [];
  return {
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    node: p.spec?.nodeName || undefined,
    phase: p.status?.phase ?? 'Pending',
    ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    labels: p.metadata?.labels ?? {},
    controllerKinds: (p.metadata?.ownerReferences ?? []).filter((r) => r.controller).map((r) => r.kind),
    mirror: ANNOTATION_MIRROR_POD in (p.metadata?.annotations ?? {}),
    emptyDirVolumes: volumes.filter((v) => v.emptyDir).map((v) => v.name),
    flexVolumes: volumes.filter((v) => v.flexVolume).map((v) => ({ volume: v.name, driver: v.flexVolume!.driver })),
    requests: podRequests(p),
    images: (p.spec?.containers ?? []).map((c) => c.image ?? ''),
  };
}

export function snapshotPdb(b: V1PodDisruptionBudget): SnapshotPdb {
  const sel = b.spec?.selector;
  return {
    namespace: b.metadata?.namespace ?? '',
    name: b.metadata?.name ?? '',
    selector: sel
      ? { matchLabels: sel.matchLabels, matchExpressions: sel.matchExpressions?.map((e) => ({ key: e.key, operator: e.operator, values: e.values })) }
      : null,
    minAvailable: b.spec?.minAvailable as number | string | undefined,
    maxUnavailable: b.spec?.maxUnavailable as number | string | undefined,
    disruptionsAllowed: b.status?.disruptionsAllowed,
    currentHealthy: b.status?.currentHealthy,
    desiredHealthy: b.status?.desiredHealthy,
    expectedPods: b.status?.expectedPods,
  };
}

export function snapshotJob(j: V1Job): SnapshotJob {
  const { phase } = jobState(j);
  return { name: j.metadata?.name ?? '', failed: phase === 'failed', active: phase === 'running' };
}

interface AnyObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; managedFields?: { apiVersion?: string }[] };
}
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The API versions an object was written with: its last kubectl apply, and each field manager's. */
export function recordedObject(o: AnyObject, kind: string): RecordedObject {
  const apiVersions: RecordedObject['apiVersions'] = [];
  const applied = o.metadata?.annotations?.[LAST_APPLIED];
  if (applied) {
    try {
      const a = JSON.parse(applied) as { apiVersion?: string; kind?: string };
      if (a.apiVersion) apiVersions.push({ apiVersion: a.apiVersion, kind: a.kind ?? kind, source: 'last-applied' });
    } catch {
      // an annotation that is not JSON records nothing we can judge
    }
  }
  for (const f of o.metadata?.managedFields ?? []) if (f.apiVersion) apiVersions.push({ apiVersion: f.apiVersion, kind, source: 'managedFields' });
  return { kind, namespace: o.metadata?.namespace, name: o.metadata?.name ?? '', apiVersions };
}

/** /readyz?verbose: the lines "[-]etcd failed: …" name the failing checks. */
export function readyzState(status: number, body: string): ReadyzState {
  const failed = [...body.matchAll(/^\[-\]([^\s]+) failed/gm)].map((m) => m[1]!);
  return { ok: status === 200, failed };
}

/** The kubelet's configz answer: { kubeletconfig: { failSwapOn, memorySwap: { swapBehavior } } }. */
export function kubeletSwapOf(body: string): KubeletSwap {
  const cfg = (JSON.parse(body) as { kubeletconfig?: { failSwapOn?: boolean; memorySwap?: { swapBehavior?: string } } }).kubeletconfig ?? {};
  // failSwapOn defaults to true in the kubelet
  return { failSwapOn: cfg.failSwapOn !== false, swapBehavior: cfg.memorySwap?.swapBehavior || undefined };
}
