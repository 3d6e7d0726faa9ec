import type { V1LabelSelector, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { DrainBlocker } from './clusterDriver.js';
import { ANNOTATION_MIRROR_POD, LABEL_UPGRADE_ID } from './labels.js';
import type { KubeStatus } from './k8sErrors.js';

export const podKey = (p: V1Pod): string => `${p.metadata?.namespace}/${p.metadata?.name}`;

/** What a drain does with a pod on the node. */
export type PodDisposition = 'stay' | 'terminating' | 'delete' | 'evict';

export function dispositionOf(pod: V1Pod): PodDisposition {
  const meta = pod.metadata ?? {};
  // DaemonSet pods would be recreated on the node at once; kubectl drain --ignore-daemonsets leaves them too.
  if ((meta.ownerReferences ?? []).some((r) => r.controller && r.kind === 'DaemonSet')) return 'stay';
  // Static pods belong to the kubelet's manifests; the API cannot move them.
  if (meta.annotations?.[ANNOTATION_MIRROR_POD] !== undefined) return 'stay';
  // Our own upgrade Job's pod must stay to do its work.
  if (meta.labels?.[LABEL_UPGRADE_ID] !== undefined) return 'stay';
  if (meta.deletionTimestamp) return 'terminating';
  const phase = pod.status?.phase;
  // A finished pod holds no availability a budget protects: delete it directly.
  if (phase === 'Succeeded' || phase === 'Failed') return 'delete';
  return 'evict';
}

/** "The disruption budget web needs 5 healthy pods and has 5 currently" → "web" */
const BUDGET_CAUSE = /disruption budget (\S+?) needs/i;

/** A 429 from the Eviction API caused by a PodDisruptionBudget, or undefined for other refusals (rate limits). */
export function budgetRefusal(status: KubeStatus): { pdb?: string; message: string } | undefined {
  if (status.code !== 429 && status.code !== 500) return undefined;
  const cause = status.details?.causes?.find((c) => c.reason === 'DisruptionBudget');
  if (cause) return { pdb: BUDGET_CAUSE.exec(cause.message ?? '')?.[1], message: cause.message ?? status.message ?? '' };
  if (/disruption ?budget/i.test(status.message ?? '')) return { message: status.message ?? '' };
  return undefined;
}

export function selectorMatches(sel: V1LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const v = labels[e.key];
    const ok =
      e.operator === 'In' ? has && (e.values ?? []).includes(v!)
      : e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(v!)
      : e.operator === 'Exists' ? has
      : e.operator === 'DoesNotExist' ? !has
      : false;
    if (!ok) return false;
  }
  return true;
}

/** The blocker for a pod, naming the budget from the server's cause or, failing that, from the budgets that select the pod. */
export function blockerFor(pod: V1Pod, refusal: { pdb?: string; message: string }, pdbs: V1PodDisruptionBudget[] = []): DrainBlocker {
  let pdb = refusal.pdb;
  if (!pdb) {
    const names = pdbs
      .filter((b) => selectorMatches(b.spec?.selector, pod.metadata?.labels))
      .map((b) => b.metadata?.name ?? '');
    if (names.length > 0) pdb = names.join(',');
  }
  return { pod: podKey(pod), ...(pdb ? { pdb } : {}), message: refusal.message };
}
