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

const str: Schema = { t: 'string' };
const int: Schema = { t: 'integer' };
const bool: Schema = { t: 'boolean' };
const intOrStr: Schema = { t: 'int-or-string' };
const qty: Schema = { t: 'quantity' };
const time: Schema = { t: 'time' };
export const any: Schema = { t: 'any' };
const obj = (props: Record<string, Schema>, required?: string[]): Schema => ({ t: 'object', props, ...(required ? { required } : {}) });
const map = (values: Schema): Schema => ({ t: 'map', values });
const list = (items: Schema, mergeKey?: string): Schema => ({ t: 'array', items, ...(mergeKey ? { mergeKey } : {}) });
const strings = list(str);

const ownerReference = obj({ apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool });

const objectMeta = obj({
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
  valueFrom: obj({
    fieldRef: obj({ apiVersion: str, fieldPath: str }),
    resourceFieldRef: obj({ containerName: str, resource: str, divisor: qty }),
    configMapKeyRef: keyRef,
    secretKeyRef: keyRef,
  }),
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
  volumeMounts: list(
    obj({ name: str, readOnly: bool, mountPath: str, subPath: str, mountPropagation: str, subPathExpr: str, recursiveReadOnly: str }),
    'mountPath',
  ),
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

const podSpec = obj({
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
const condition = obj({
  type: str,
  status: str,
  reason: str,
  message: str,
  lastTransitionTime: time,
  lastHeartbeatTime: time,
  lastProbeTime: time,
  lastUpdateTime: time,
  observedGeneration: int,
});
const conditions = list(condition, 'type');
/** Status is written by the simulated controllers; clients may send it but it is not modelled field by field. */
const statusOf = (props: Record<string, Schema> = {}): Schema => (Object.keys(props).length ? obj({ ...props, conditions }) : any);

const top = (spec: Schema, status: Schema = any): Schema => obj({ apiVersion: str, kind: str, metadata: objectMeta, spec, status });
/** A kind without spec and status (Events), its fields at the top. */
const flat = (props: Record<string, Schema>): Schema => obj({ apiVersion: str, kind: str, metadata: objectMeta, ...props });

const objectReference = obj({ kind: str, namespace: str, name: str, uid: str, apiVersion: str, resourceVersion: str, fieldPath: str });
const microTime = time;
const eventSeries = obj({ count: int, lastObservedTime: microTime });
const eventSource = obj({ component: str, host: str });
const sharedEventFields = { eventTime: microTime, series: eventSeries, action: str, related: objectReference, reportingInstance: str, reason: str, type: str };

/** Keyed by `apiVersion/kind`: a kind served in two versions (Event) has a schema per version. */
const SCHEMAS: Record<string, Schema> = {
  'v1/Event': flat({
    ...sharedEventFields,
    involvedObject: objectReference,
    message: str,
    source: eventSource,
    firstTimestamp: time,
    lastTimestamp: time,
    count: int,
    reportingComponent: str,
  }),
  'events.k8s.io/v1/Event': flat({
    ...sharedEventFields,
    regarding: objectReference,
    note: str,
    reportingController: str,
    deprecatedSource: eventSource,
    deprecatedFirstTimestamp: time,
    deprecatedLastTimestamp: time,
    deprecatedCount: int,
  }),
  'coordination.k8s.io/v1/Lease': top(
    obj({
      holderIdentity: str,
      leaseDurationSeconds: int,
      acquireTime: microTime,
      renewTime: microTime,
      leaseTransitions: int,
      strategy: str,
      preferredHolder: str,
    }),
  ),
  'v1/Namespace': top(obj({ finalizers: strings }), statusOf({ phase: str })),
  'v1/Node': top(
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
  'v1/Pod': top(podSpec),
  'apps/v1/ReplicaSet': top(obj({ replicas: int, minReadySeconds: int, selector: labelSelector, template: podTemplate })),
  'apps/v1/DaemonSet': top(obj({ selector: labelSelector, template: podTemplate, updateStrategy: any, minReadySeconds: int, revisionHistoryLimit: int })),
  'batch/v1/Job': top(
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
  'policy/v1/PodDisruptionBudget': top(obj({ minAvailable: intOrStr, maxUnavailable: intOrStr, selector: labelSelector, unhealthyPodEvictionPolicy: str })),
};

/** The schema of a kind in one version, if modelled. */
export function schemaOf(def: { group: string; version: string; kind: string }): Schema | undefined {
  return SCHEMAS[`${def.group ? `${def.group}/` : ''}${def.version}/${def.kind}`];
}

/** The schema of a named property of an object schema (any for free-form parts). */
export function propOf(s: Schema | undefined, key: string): Schema | undefined {
  if (!s) return undefined;
  if (s.t === 'object') return s.props[key];
  if (s.t === 'map') return s.values;
  if (s.t === 'any') return any;
  return undefined;
}
