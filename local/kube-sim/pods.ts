import type { KubeObject, ObjectStore } from './store.js';

/** Small readers over pod and node objects shared by handlers and controllers. */
interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
  lastProbeTime?: string | null;
}

export const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export function phaseOf(pod: KubeObject): string {
  return (pod.status as { phase?: string } | undefined)?.phase ?? 'Pending';
}

function conditionsOf(o: KubeObject): Condition[] {
  return (o.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
}

function isConditionTrue(o: KubeObject, type: string): boolean {
  return conditionsOf(o).some((c) => c.type === type && c.status === 'True');
}

export function isTerminal(pod: KubeObject): boolean {
  const p = phaseOf(pod);
  return p === 'Succeeded' || p === 'Failed';
}

export function isPodReady(pod: KubeObject): boolean {
  return !pod.metadata.deletionTimestamp && phaseOf(pod) === 'Running' && isConditionTrue(pod, 'Ready');
}

export function nodeNameOf(pod: KubeObject): string | undefined {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName || undefined;
}

export function controllerOf(o: KubeObject): { kind: string; name: string; uid: string } | undefined {
  return (o.metadata.ownerReferences ?? []).find((r) => r.controller);
}

export function ownedBy(pod: KubeObject, owner: KubeObject): boolean {
  return (pod.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
}
interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

export function isNodeReady(node: KubeObject): boolean {
  return isConditionTrue(node, 'Ready');
}

/** Whether a kubelet runs on this node to act for its pods: the node exists and is Ready. */
export function kubeletRuns(store: ObjectStore, nodeName: string): boolean {
  const node = store.get('nodes', undefined, nodeName);
  return !!node && isNodeReady(node);
}

export function isNodeSchedulable(node: KubeObject): boolean {
  return !(node.spec as { unschedulable?: boolean } | undefined)?.unschedulable && isNodeReady(node);
}

/** Whether the scheduler may place this pod on this node: its nodeSelector matches, and it tolerates the NoSchedule/NoExecute taints. */
export function fitsNode(pod: KubeObject, node: KubeObject): boolean {
  const selector = (pod.spec as { nodeSelector?: Record<string, string> } | undefined)?.nodeSelector ?? {};
  if (Object.entries(selector).some(([k, v]) => node.metadata.labels?.[k] !== v)) return false;
  const taints = ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []).filter((t) => t.effect !== 'PreferNoSchedule');
  const tolerations = (pod.spec as { tolerations?: Toleration[] } | undefined)?.tolerations;
  return taints.every((t) => tolerates(tolerations, t));
}
