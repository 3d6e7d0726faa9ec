import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { selectorMatches } from '../domain/labelSelector.js';
import type { DrainBlocker } from './clusterDriver.js';
import type { ForecastPod } from '../domain/drainForecast.js';
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

/** A pod as the drain forecast shows it: only a pod the drain evicts moves. */
export function forecastPodOf(pod: V1Pod): ForecastPod {
  const meta = pod.metadata ?? {};
  const owner = (meta.ownerReferences ?? []).find((r) => r.controller);
  return {
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    node: pod.spec?.nodeName ?? '',
    labels: meta.labels ?? {},
    owner: owner ? `${owner.kind}/${owner.name}` : null,
    moves: dispositionOf(pod) === 'evict',
  };
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

/** The blocker for a pod, naming the budget from the server's cause or, failing that, from the budgets that select the pod. */
export function blockerFor(pod: V1Pod, refusal: { pdb?: string; message: string }, pdbs: V1PodDisruptionBudget[] = []): DrainBlocker {
  let pdb = refusal.pdb;
  if (!pdb) {
    const names = pdbs.filter((b) => selectorMatches(b.spec?.selector ?? null, pod.metadata?.labels ?? {})).map((b) => b.metadata?.name ?? '');
    if (names.length > 0) pdb = names.join(',');
  }
  // the budget's own count, so a wait can say "allows 0 disruptions" rather than only the server's words
  const budget = pdb ? pdbs.find((b) => b.metadata?.name === pdb) : undefined;
  const allowed = budget?.status?.disruptionsAllowed;
  return {
    pod: podKey(pod),
    namespace: pod.metadata?.namespace ?? '',
    ...(pdb ? { pdb } : {}),
    ...(allowed !== undefined ? { disruptionsAllowed: allowed } : {}),
    message: refusal.message,
  };
}
