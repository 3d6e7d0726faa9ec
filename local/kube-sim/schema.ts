/**
 * A compact type model of the objects the simulator serves. One model feeds
 * three consumers, so they cannot disagree: the OpenAPI v3 documents kubectl
 * reads, strict field validation (unknown fields are rejected wherever a type
 * lists its fields) and the strategic merge patch (list merge keys).
 */
export type Schema =
  | { t: 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'quantity' | 'time' }
  /** free-form: a part of the API modelled no deeper (any value accepted) */
  | { t: 'any' }
  | { t: 'object'; props: Record<string, Schema>; required?: string[] }
  | { t: 'map'; values: Schema }
  /** mergeKey: strategic merge patch merges elements by this key; without it the list is replaced */
  | { t: 'array'; items: Schema; mergeKey?: string };

export const str: Schema = { t: 'string' };
export const int: Schema = { t: 'integer' };
export const num: Schema = { t: 'number' };
export const bool: Schema = { t: 'boolean' };
export const intOrStr: Schema = { t: 'int-or-string' };
export const qty: Schema = { t: 'quantity' };
export const time: Schema = { t: 'time' };
export const any: Schema = { t: 'any' };
export const obj = (props: Record<string, Schema>, required?: string[]): Schema => ({ t: 'object', props, ...(required ? { required } : {}) });
export const map = (values: Schema): Schema => ({ t: 'map', values });
export const list = (items: Schema, mergeKey?: string): Schema => ({ t: 'array', items, ...(mergeKey ? { mergeKey } : {}) });
const strings = list(str);

const ownerReference = obj({ apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool });

export const objectMeta = obj({
  name: str,
  generateName: str,
  namespace: str,
  selfLink: str,
  uid: str,
  resourceVersion: str,
  generation: int,
  creationTimestamp: time,
  deletionTimestamp: time,
  deletionGracePeriodSeconds: int,
  labels: map(str),
  annotations: map(str),
  ownerReferences: list(ownerReference, 'uid'),
  finalizers: strings,
  managedFields: list(any),
});

const labelSelector = obj({
  matchLabels: map(str),
  matchExpressions: list(obj({ key: str, operator: str, values: strings })),
});

const keyRef = obj({ name: str, key: str, optional: bool });
const envVar = obj({
  name: str,
  value: str,
  valueFrom: obj({ fieldRef: obj({ apiVersion: str, fieldPath: str }), resourceFieldRef: obj({ containerName: str, resource: str, divisor: qty }), configMapKeyRef: keyRef, secretKeyRef: keyRef }),
});
const container = obj({
  name: str,
  image: str,
  command: strings,
  args: strings,
  workingDir: str,
  ports: list(obj({ name: str, hostPort: int, containerPort: int, protocol: str, hostIP: str }), 'containerPort'),
  envFrom: list(any),
  env: list(envVar, 'name'),
  resources: obj({ limits: map(qty), requests: map(qty), claims: list(any) }),
  resizePolicy: list(any),
  restartPolicy: str,
  volumeMounts: list(obj({ name: str, readOnly: bool, mountPath: str, subPath: str, mountPropagation: str, subPathExpr: str, recursiveReadOnly: str }), 'mountPath'),
  volumeDevices: list(any),
  livenessProbe: any,
  readinessProbe: any,
  startupProbe: any,
  lifecycle: any,
  terminationMessagePath: str,
  terminationMessagePolicy: str,
  imagePullPolicy: str,
  securityContext: any,
  stdin: bool,
  stdinOnce: bool,
  tty: bool,
});
const toleration = obj({ key: str, operator: str, value: str, effect: str, tolerationSeconds: int });

export const podSpec = obj({
  volumes: list(any, 'name'),
  initContainers: list(container, 'name'),
  containers: list(container, 'name'),
  ephemeralContainers: list(any, 'name'),
  restartPolicy: str,
  terminationGracePeriodSeconds: int,
  activeDeadlineSeconds: int,
  dnsPolicy: str,
  nodeSelector: map(str),
  serviceAccountName: str,
  serviceAccount: str,
  automountServiceAccountToken: bool,
  nodeName: str,
  hostNetwork: bool,
  hostPID: bool,
  hostIPC: bool,
  shareProcessNamespace: bool,
  securityContext: any,
  imagePullSecrets: list(obj({ name: str }), 'name'),
  hostname: str,
  subdomain: str,
  affinity: any,
  schedulerName: str,
  tolerations: list(toleration),
  hostAliases: list(any),
  priorityClassName: str,
  priority: int,
  dnsConfig: any,
  readinessGates: list(obj({ conditionType: str })),
  runtimeClassName: str,
  enableServiceLinks: bool,
  preemptionPolicy: str,
  overhead: map(qty),
  topologySpreadConstraints: list(any),
  setHostnameAsFQDN: bool,
  os: obj({ name: str }),
  hostUsers: bool,
  schedulingGates: list(obj({ name: str }), 'name'),
  resourceClaims: list(any, 'name'),
});

const podTemplate = obj({ metadata: objectMeta, spec: podSpec });
const condition = obj({ type: str, status: str, reason: str, message: str, lastTransitionTime: time, lastHeartbeatTime: time, lastProbeTime: time, lastUpdateTime: time, observedGeneration: int });
const conditions = list(condition, 'type');
/** Status is written by the simulated controllers; clients may send it but it is not modelled field by field. */
const statusOf = (props: Record<string, Schema> = {}): Schema => (Object.keys(props).length ? obj({ ...props, conditions }) : any);

const top = (spec: Schema, status: Schema = any): Schema => obj({ apiVersion: str, kind: str, metadata: objectMeta, spec, status });

export const KIND_SCHEMAS: Record<string, Schema> = {
  Namespace: top(obj({ finalizers: strings }), statusOf({ phase: str })),
  Node: top(
    obj({
      podCIDR: str,
      podCIDRs: strings,
      providerID: str,
      unschedulable: bool,
      taints: list(obj({ key: str, value: str, effect: str, timeAdded: time })),
      configSource: any,
      externalID: str,
    }),
  ),
  Pod: top(podSpec),
  ReplicaSet: top(obj({ replicas: int, minReadySeconds: int, selector: labelSelector, template: podTemplate })),
  DaemonSet: top(obj({ selector: labelSelector, template: podTemplate, updateStrategy: any, minReadySeconds: int, revisionHistoryLimit: int })),
  Job: top(
    obj({
      parallelism: int,
      completions: int,
      activeDeadlineSeconds: int,
      podFailurePolicy: any,
      successPolicy: any,
      backoffLimit: int,
      backoffLimitPerIndex: int,
      maxFailedIndexes: int,
      selector: labelSelector,
      manualSelector: bool,
      template: podTemplate,
      ttlSecondsAfterFinished: int,
      completionMode: str,
      suspend: bool,
      podReplacementPolicy: str,
      managedBy: str,
    }),
  ),
  PodDisruptionBudget: top(obj({ minAvailable: intOrStr, maxUnavailable: intOrStr, selector: labelSelector, unhealthyPodEvictionPolicy: str })),
};

/** The schema of a named property of an object schema (any for free-form parts). */
export function propOf(s: Schema | undefined, key: string): Schema | undefined {
  if (!s) return undefined;
  if (s.t === 'object') return s.props[key];
  if (s.t === 'map') return s.values;
  if (s.t === 'any') return any;
  return undefined;
}
