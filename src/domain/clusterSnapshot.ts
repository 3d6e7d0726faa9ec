import type { LeaseRecord } from './clusterLease.js';

/**
 * What the precheck reads from a cluster, as plain data: the checks are pure
 * functions over it. Each part is read on its own, so one part the
 * credentials may not read (configz, a resource list) becomes a warning for
 * the checks that need it instead of failing the whole read.
 */
export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** CPU in millicores, memory in bytes. */
export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
}

/** The swap settings of a node's kubelet, from its configz. */
export interface KubeletSwap {
  failSwapOn: boolean;
  swapBehavior?: string;
}

/** A node as kupgrade reads it: the driver's NodeInfo, and the base of a snapshot's nodes. */
export interface NodeInfo {
  name: string;
  role: 'master' | 'worker';
  /** kubelet version without the leading "v", e.g. "1.30.4" */
  kubeletVersion: string;
  ready: boolean;
  unschedulable: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  createdAt?: string;
}

export interface SnapshotNode extends NodeInfo {
  /** condition types whose status is True (Ready, DiskPressure, …) */
  trueConditions: string[];
  allocatable: Resources;
  kubeletSwap: Read<KubeletSwap>;
}

export interface SnapshotPod {
  namespace: string;
  name: string;
  node?: string;
  phase: string;
  ready: boolean;
  labels: Record<string, string>;
  /** kinds of the controller owner references (empty: a bare pod) */
  controllerKinds: string[];
  /** a static pod's mirror, managed by its node's kubelet */
  mirror: boolean;
  emptyDirVolumes: string[];
  flexVolumes: { volume: string; driver: string }[];
  /** what the scheduler reserves for it: max(sum of containers, largest init container) */
  requests: Resources;
  images: string[];
}

export interface SnapshotPdb {
  namespace: string;
  name: string;
  /** null selects no pod (policy/v1); {} selects every pod of the namespace */
  selector: LabelSelector | null;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
}

export interface SnapshotJob {
  name: string;
  failed: boolean;
  active: boolean;
}

/** An object and the API versions it was written with (last-applied-configuration, managedFields). */
export interface RecordedObject {
  kind: string;
  namespace?: string;
  name: string;
  apiVersions: { apiVersion: string; kind: string; source: 'last-applied' | 'managedFields' }[];
}

export interface ReadyzState {
  ok: boolean;
  /** the checks /readyz?verbose reports as failed */
  failed: string[];
}

export interface ClusterSnapshot {
  serverVersion: Read<string>;
  readyz: Read<ReadyzState>;
  nodes: Read<SnapshotNode[]>;
  pods: Read<SnapshotPod[]>;
  pdbs: Read<SnapshotPdb[]>;
  /** Jobs in the helper namespace (kube-upgrade) */
  helperJobs: Read<SnapshotJob[]>;
  /** the Lease kupgrade holds the cluster with (kube-upgrade/kupgrade), null when there is none */
  lease: Read<LeaseRecord | null>;
  recorded: { objects: RecordedObject[]; unreadable: string[] };
}

export const readOk = <T>(value: T): Read<T> => ({ ok: true, value });
export const readFailed = <T>(reason: string): Read<T> => ({ ok: false, reason });
