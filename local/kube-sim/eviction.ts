import { deleteObject } from './deletion.js';
import { computePdbStatus, type PdbSpec } from './pdb.js';
import { isPodReady, isTerminal, now, phaseOf } from './pods.js';
import { selectorMatches } from './selectors.js';
import { ApiError, successStatus } from './status.js';
import type { ObjectStore } from './store.js';

interface Eviction {
  deleteOptions?: { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string } };
}

/**
 * POST pods/{name}/eviction, with the API server's PodDisruptionBudget rules:
 * a pod covered by a budget that allows no disruption is refused with 429 and
 * a `DisruptionBudget` cause naming the budget; otherwise it is deleted like
 * any pod, gracefully (the Eviction's deleteOptions may set the period).
 */
export function evictPod(store: ObjectStore, namespace: string, name: string, body?: unknown): Record<string, unknown> {
  const pod = store.mustGet('pods', namespace, name);
  const options = (body as Eviction | undefined)?.deleteOptions ?? {};
  const gone = () => {
    deleteObject(store, 'pods', namespace, name, { gracePeriodSeconds: options.gracePeriodSeconds, preconditions: options.preconditions });
    return successStatus({ name, kind: 'pods' }, 201);
  };
  // Finished, not yet started or already terminating pods cannot reduce availability (canIgnorePDB).
  if (isTerminal(pod) || phaseOf(pod) === 'Pending' || pod.metadata.deletionTimestamp) return gone();

  const pdbs = store.list('poddisruptionbudgets', namespace, (b) => selectorMatches((b.spec as PdbSpec | undefined)?.selector, pod.metadata.labels));
  if (pdbs.length > 1) {
    throw new ApiError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  const pdb = pdbs[0];
  if (pdb) {
    const status = computePdbStatus(store, pdb, now());
    const spec = (pdb.spec ?? {}) as PdbSpec;
    // An unhealthy pod may go when the budget is already met (IfHealthyBudget) or always (AlwaysAllow).
    const unhealthyMayGo = !isPodReady(pod) && (spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' || status.currentHealthy >= status.desiredHealthy);
    if (!unhealthyMayGo && status.disruptionsAllowed <= 0) {
      throw new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
        causes: [
          {
            reason: 'DisruptionBudget',
            message: `The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
          },
        ],
      });
    }
  }
  return gone();
}
