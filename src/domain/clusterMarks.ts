/**
 * The names kupgrade gives to what it leaves on a cluster, which product
 * rules read: the adapters (the Kubernetes driver, the simulator) import them
 * from here.
 */

/** The namespace of kupgrade's upgrade Jobs. */
export const UPGRADE_NAMESPACE = 'kube-upgrade';

/** On a node kupgrade cordoned: the id of the upgrade that holds the cordon. */
export const ANNOTATION_CORDONED_BY = 'kupgrade.io/cordoned-by';
