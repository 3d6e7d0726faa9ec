import { parseVersion } from './versions.js';

/** A served resource: where objects of a removed API version live now. */
export interface ServedResource {
  apiVersion: string;
  /** plural, as in the URL */
  resource: string;
  namespaced: boolean;
}

export interface RemovedApi {
  kind: string;
  /** the removed group/version */
  apiVersion: string;
  /** the minor that stopped serving it */
  removedInMinor: number;
  /** what to write instead, and where the objects are served now (absent: not persisted, or no successor) */
  replacement?: ServedResource;
}

const served = (apiVersion: string, resource: string, namespaced = true): ServedResource => ({ apiVersion, resource, namespaced });
const rows = (removedInMinor: number, apiVersion: string, kinds: [string, ServedResource?][]): RemovedApi[] =>
  kinds.map(([kind, replacement]) => ({ kind, apiVersion, removedInMinor, replacement }));

const DEPLOYMENTS = served('apps/v1', 'deployments');
const DAEMONSETS = served('apps/v1', 'daemonsets');
const REPLICASETS = served('apps/v1', 'replicasets');
const STATEFULSETS = served('apps/v1', 'statefulsets');
const INGRESSES = served('networking.k8s.io/v1', 'ingresses');
const HPAS = served('autoscaling/v2', 'horizontalpodautoscalers');
const FLOWSCHEMAS = served('flowcontrol.apiserver.k8s.io/v1', 'flowschemas', false);
const PRIORITY_LEVELS = served('flowcontrol.apiserver.k8s.io/v1', 'prioritylevelconfigurations', false);

/**
 * The API versions Kubernetes stopped serving, from the deprecated API
 * migration guide: 1.16 (workloads, still found in old manifests), 1.22, 1.25,
 * 1.26, 1.27, 1.29 and 1.32. Review objects (TokenReview, SubjectAccessReview)
 * and Events are not persisted by users, so nothing is scanned for them.
 */
export const REMOVED_APIS: readonly RemovedApi[] = [
  ...rows(16, 'extensions/v1beta1', [
    ['Deployment', DEPLOYMENTS],
    ['DaemonSet', DAEMONSETS],
    ['ReplicaSet', REPLICASETS],
    ['NetworkPolicy', served('networking.k8s.io/v1', 'networkpolicies')],
    ['PodSecurityPolicy'],
  ]),
  ...rows(16, 'apps/v1beta1', [
    ['Deployment', DEPLOYMENTS],
    ['StatefulSet', STATEFULSETS],
  ]),
  ...rows(16, 'apps/v1beta2', [
    ['Deployment', DEPLOYMENTS],
    ['DaemonSet', DAEMONSETS],
    ['ReplicaSet', REPLICASETS],
    ['StatefulSet', STATEFULSETS],
  ]),
  ...rows(22, 'extensions/v1beta1', [['Ingress', INGRESSES]]),
  ...rows(22, 'networking.k8s.io/v1beta1', [
    ['Ingress', INGRESSES],
    ['IngressClass', served('networking.k8s.io/v1', 'ingressclasses', false)],
  ]),
  ...rows(22, 'apiextensions.k8s.io/v1beta1', [['CustomResourceDefinition', served('apiextensions.k8s.io/v1', 'customresourcedefinitions', false)]]),
  ...rows(22, 'apiregistration.k8s.io/v1beta1', [['APIService', served('apiregistration.k8s.io/v1', 'apiservices', false)]]),
  ...rows(22, 'admissionregistration.k8s.io/v1beta1', [
    ['MutatingWebhookConfiguration', served('admissionregistration.k8s.io/v1', 'mutatingwebhookconfigurations', false)],
    ['ValidatingWebhookConfiguration', served('admissionregistration.k8s.io/v1', 'validatingwebhookconfigurations', false)],
  ]),
  ...rows(22, 'rbac.authorization.k8s.io/v1beta1', [
    ['ClusterRole', served('rbac.authorization.k8s.io/v1', 'clusterroles', false)],
    ['ClusterRoleBinding', served('rbac.authorization.k8s.io/v1', 'clusterrolebindings', false)],
    ['Role', served('rbac.authorization.k8s.io/v1', 'roles')],
    ['RoleBinding', served('rbac.authorization.k8s.io/v1', 'rolebindings')],
  ]),
  ...rows(22, 'scheduling.k8s.io/v1beta1', [['PriorityClass', served('scheduling.k8s.io/v1', 'priorityclasses', false)]]),
  ...rows(22, 'storage.k8s.io/v1beta1', [
    ['CSIDriver', served('storage.k8s.io/v1', 'csidrivers', false)],
    ['CSINode', served('storage.k8s.io/v1', 'csinodes', false)],
    ['StorageClass', served('storage.k8s.io/v1', 'storageclasses', false)],
    ['VolumeAttachment', served('storage.k8s.io/v1', 'volumeattachments', false)],
  ]),
  ...rows(22, 'certificates.k8s.io/v1beta1', [['CertificateSigningRequest', served('certificates.k8s.io/v1', 'certificatesigningrequests', false)]]),
  ...rows(22, 'coordination.k8s.io/v1beta1', [['Lease', served('coordination.k8s.io/v1', 'leases')]]),
  ...rows(22, 'authentication.k8s.io/v1beta1', [['TokenReview']]),
  ...rows(22, 'authorization.k8s.io/v1beta1', [['SubjectAccessReview'], ['LocalSubjectAccessReview'], ['SelfSubjectAccessReview']]),
  ...rows(25, 'batch/v1beta1', [['CronJob', served('batch/v1', 'cronjobs')]]),
  ...rows(25, 'discovery.k8s.io/v1beta1', [['EndpointSlice', served('discovery.k8s.io/v1', 'endpointslices')]]),
  ...rows(25, 'events.k8s.io/v1beta1', [['Event']]),
  ...rows(25, 'autoscaling/v2beta1', [['HorizontalPodAutoscaler', HPAS]]),
  ...rows(25, 'policy/v1beta1', [['PodDisruptionBudget', served('policy/v1', 'poddisruptionbudgets')], ['PodSecurityPolicy']]),
  ...rows(25, 'node.k8s.io/v1beta1', [['RuntimeClass', served('node.k8s.io/v1', 'runtimeclasses', false)]]),
  ...rows(26, 'flowcontrol.apiserver.k8s.io/v1beta1', [
    ['FlowSchema', FLOWSCHEMAS],
    ['PriorityLevelConfiguration', PRIORITY_LEVELS],
  ]),
  ...rows(26, 'autoscaling/v2beta2', [['HorizontalPodAutoscaler', HPAS]]),
  ...rows(27, 'storage.k8s.io/v1beta1', [['CSIStorageCapacity', served('storage.k8s.io/v1', 'csistoragecapacities')]]),
  ...rows(29, 'flowcontrol.apiserver.k8s.io/v1beta2', [
    ['FlowSchema', FLOWSCHEMAS],
    ['PriorityLevelConfiguration', PRIORITY_LEVELS],
  ]),
  ...rows(32, 'flowcontrol.apiserver.k8s.io/v1beta3', [
    ['FlowSchema', FLOWSCHEMAS],
    ['PriorityLevelConfiguration', PRIORITY_LEVELS],
  ]),
];

/** The removal that makes (apiVersion, kind) unusable on `target`, if any. */
export function removalAt(apiVersion: string, kind: string, target: string): RemovedApi | undefined {
  const t = parseVersion(target);
  if (!t) return undefined;
  return REMOVED_APIS.find((r) => r.apiVersion === apiVersion && r.kind === kind && r.removedInMinor <= t.minor && t.major === 1);
}

/** The resources to list to find objects once written with a removed version, each once. */
export function resourcesToScan(): (ServedResource & { kind: string })[] {
  const seen = new Map<string, ServedResource & { kind: string }>();
  for (const r of REMOVED_APIS) if (r.replacement) seen.set(`${r.replacement.apiVersion}/${r.replacement.resource}`, { ...r.replacement, kind: r.kind });
  return [...seen.values()];
}
