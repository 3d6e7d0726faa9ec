import { createHash } from 'node:crypto';

/** Every kupgrade.io/* key the product writes or reads on cluster objects. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'kupgrade';
export const LABEL_UPGRADE_ID = 'kupgrade.io/upgrade-id';
export const LABEL_NODE = 'kupgrade.io/node';
/** On the Lease kupgrade holds a cluster with: which installation (its table), upgrade and registration hold it. */
export const ANNOTATION_INSTALLATION = 'kupgrade.io/installation';
export const ANNOTATION_UPGRADE_ID = 'kupgrade.io/upgrade-id';
export const ANNOTATION_CLUSTER_ID = 'kupgrade.io/cluster-id';

export const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/**
 * A deterministic, DNS-1123-safe Job name for (upgrade, node): creating it
 * twice yields a 409, never a second Job. A retry after a failed Job is a new
 * attempt with its own name, so the failed Job stays readable until cleanup.
 */
export function upgradeJobName(upgradeId: string, node: string, attempt = 1): string {
  const key = attempt > 1 ? `${upgradeId}/${node}/${attempt}` : `${upgradeId}/${node}`;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 10);
  const nodePart = node
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `kupgrade-${hash}-${nodePart}`.replace(/-+$/, '');
}

/** On an upgrade Job and its pod: the full node name (label values stop at 63 characters). */
export const ANNOTATION_NODE = 'kupgrade.io/node';
/** Marks a static (mirror) pod; drains leave those to the kubelet. */
export const ANNOTATION_MIRROR_POD = 'kubernetes.io/config.mirror';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The node's name as a label value, or a stable hash of it when the name is not a valid label value (over 63 characters). */
export function nodeLabelValue(node: string): string {
  if (node.length <= 63 && LABEL_VALUE.test(node)) return node;
  return `h-${createHash('sha256').update(node).digest('hex').slice(0, 40)}`;
}
