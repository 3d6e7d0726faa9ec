import type { V1Job } from '@kubernetes/client-node';
import type { UpgradeJobSpec } from './clusterDriver.js';
import { ANNOTATION_NODE, LABEL_MANAGED_BY, LABEL_NODE, LABEL_UPGRADE_ID, MANAGED_BY_VALUE, UPGRADE_NAMESPACE, nodeLabelValue, upgradeJobName } from './labels.js';
import { DEFAULT_RECIPE } from './recipe.js';

export function upgradeLabels(upgradeId: string, node: string): Record<string, string> {
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
