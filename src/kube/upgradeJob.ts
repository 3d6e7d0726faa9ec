import type { V1Job, V1JobCondition } from '@kubernetes/client-node';
import type { UpgradeJobSpec } from './clusterDriver.js';
import { ANNOTATION_NODE, LABEL_MANAGED_BY, LABEL_NODE, LABEL_UPGRADE_ID, MANAGED_BY_VALUE, nodeLabelValue, upgradeJobName } from './labels.js';
import { UPGRADE_NAMESPACE } from '../domain/clusterMarks.js';
import { DEFAULT_RECIPE } from './recipe.js';

function upgradeLabels(upgradeId: string, node: string): Record<string, string> {
  return { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE, [LABEL_UPGRADE_ID]: upgradeId, [LABEL_NODE]: nodeLabelValue(node) };
}

/** `app.kubernetes.io/managed-by=kupgrade[,kupgrade.io/upgrade-id=<id>]` */
export function upgradeSelector(upgradeId?: string): string {
  return [`${LABEL_MANAGED_BY}=${MANAGED_BY_VALUE}`, ...(upgradeId ? [`${LABEL_UPGRADE_ID}=${upgradeId}`] : [])].join(',');
}

/**
 * The node's upgrade Job: one privileged pod pinned to the node (nodeName, so
 * no scheduler, cordon or taint keeps it off), with the host's root at /host,
 * and no retry: a failed upgrade is for a human to look at, and a retry is a
 * new attempt with its own Job. No ttlSecondsAfterFinished: cleanup deletes
 * the Job, and until then a failed one stays readable.
 */
export function buildUpgradeJob(spec: UpgradeJobSpec): V1Job {
  const recipe = spec.recipe ?? DEFAULT_RECIPE;
  const name = upgradeJobName(spec.upgradeId, spec.node, spec.attempt ?? 1);
  const labels = upgradeLabels(spec.upgradeId, spec.node);
  const annotations = { [ANNOTATION_NODE]: spec.node };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: UPGRADE_NAMESPACE, labels, annotations },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels, annotations },
        spec: {
          nodeName: spec.node,
          restartPolicy: 'Never',
          hostPID: true,
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          tolerations: [{ operator: 'Exists' }],
          containers: [
            {
              name: 'upgrade',
              image: recipe.image,
              command: recipe.command,
              securityContext: { privileged: true },
              env: [
                { name: 'TARGET_VERSION', value: spec.targetVersion.replace(/^v/, '') },
                { name: 'NODE_NAME', value: spec.node },
                { name: 'NODE_ROLE', value: spec.role },
              ],
              volumeMounts: [{ name: 'host-root', mountPath: '/host' }],
            },
          ],
          volumes: [{ name: 'host-root', hostPath: { path: '/', type: 'Directory' } }],
        },
      },
    },
  };
}

/**
 * Where a Job stands by its conditions, as the Job controller sets them:
 * Complete, or Failed (FailureTarget while its pods are being terminated
 * after a failure), else still running.
 */
export function jobState(job: V1Job): { phase: 'succeeded' | 'failed' | 'running'; failed?: V1JobCondition } {
  const conditions = job.status?.conditions ?? [];
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return { phase: 'succeeded' };
  const failed = conditions.find((c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True');
  return failed ? { phase: 'failed', failed } : { phase: 'running' };
}
