/**
 * The one port to a target cluster. The Kubernetes driver implements it over
 * the real API; phase logic in src/ only ever talks to this interface.
 * Every method is safe to call again after a crash or a retry.
 */
import type { LeaseRecord, LeaseSelf } from '../domain/clusterLease.js';
import type { ClusterSnapshot, NodeInfo } from '../domain/clusterSnapshot.js';
import type { DrainForecastRead } from '../domain/drainForecast.js';
import type { NodeEventSpec } from '../domain/nodeEvents.js';

export type { NodeInfo };

type JobRole = 'first-master' | 'master' | 'worker';

/** The container that performs a node's upgrade; per cluster, kubeadm by default. */
export interface UpgradeRecipe {
  image: string;
  command: string[];
}

export interface UpgradeJobSpec {
  upgradeId: string;
  node: string;
  role: JobRole;
  targetVersion: string;
  recipe?: UpgradeRecipe;
  /** 1 for a node's first try; a retry after a failed Job gets a new Job name */
  attempt?: number;
}

type JobPhase = 'absent' | 'running' | 'succeeded' | 'failed';

export interface JobStatus {
  name: string;
  phase: JobPhase;
  message?: string;
  /** running, but its pod has not started (not scheduled, pulling its image, …) */
  pending?: boolean;
  /** succeeded: how long it ran, by the Job's own startTime and completionTime (the cluster's clock, whole seconds) */
  ranSeconds?: number;
}

/** A pod the Eviction API refused (HTTP 429) because a PodDisruptionBudget forbids it. */
export interface DrainBlocker {
  /** namespace/name of the pod */
  pod: string;
  /** name of the PodDisruptionBudget, when the server or the PDB list names it */
  pdb?: string;
  /** the pod's (and the budget's) namespace */
  namespace: string;
  /** the budget's status.disruptionsAllowed, when it could be read */
  disruptionsAllowed?: number;
  message: string;
}

/** One pass of a drain: evict what may go now, report what is left. */
export interface DrainPass {
  /** true when no pod that must leave the node is left on it */
  done: boolean;
  /** namespace/name of pods evicted (or deleted, when already finished) in this pass */
  evicted: string[];
  /** namespace/name of pods still on the node that must leave it */
  remaining: string[];
  /** those of them being deleted already (a deletionTimestamp, their grace period running) */
  terminating: string[];
  blockers: DrainBlocker[];
}

export interface CordonResult {
  /** true when kupgrade holds the cordon (it set it now or earlier, or adopted one an ended upgrade left); false when an operator cordoned the node first */
  cordonedByUs: boolean;
  /** the ended upgrade whose cordon was taken over by this call */
  adoptedFrom?: string;
  /** the upgrade whose cordon it is, when it was not taken over (not known to have ended): left as an operator's */
  heldBy?: string;
}

/** A workload with fewer ready pods than it wants (e.g. evicted pods not yet back). */
export interface WorkloadGap {
  kind: 'ReplicaSet';
  /** namespace/name */
  name: string;
  ready: number;
  desired: number;
}

/** The Lease as read, with the resourceVersion a write must carry. */
export type ObservedLease = LeaseRecord & { resourceVersion: string };

export interface ClusterDriver {
  /** The API server's version without the leading "v". */
  serverVersion(): Promise<string>;
  /** Which physical cluster this is, however it is reached: the UID of its kube-system namespace. */
  clusterIdentity(): Promise<string>;
  listNodes(): Promise<NodeInfo[]>;
  getNode(name: string): Promise<NodeInfo>;
  /**
   * Marks the node unschedulable and, in the same patch, records
   * kupgrade.io/cordoned-by=<upgradeId> on it. A node an operator had already
   * cordoned (no annotation) is left as it is and reported with
   * cordonedByUs=false. A cordon annotated with another upgrade id was left by
   * kupgrade upgrade is adopted (its annotation rewritten to upgradeId, so it
   * is undone once the node is upgraded) when `mayAdopt` says that upgrade has
   * ended or lapsed; otherwise it is left, like an operator's.
   */
  cordon(node: string, upgradeId: string, mayAdopt?: (holder: string) => Promise<boolean>): Promise<CordonResult>;
  /** Makes the node schedulable again only if this upgrade cordoned it; returns whether it did. */
  uncordon(node: string, upgradeId: string): Promise<boolean>;
  /** One eviction pass over the node's pods (DaemonSet and mirror pods stay). */
  drain(node: string): Promise<DrainPass>;
  /** Creates the node's upgrade Job in kube-upgrade; an existing one (409) is kept. */
  ensureUpgradeJob(spec: UpgradeJobSpec): Promise<{ name: string; created: boolean }>;
  upgradeJobStatus(upgradeId: string, node: string, attempt?: number): Promise<JobStatus>;
  /** The names of kupgrade's upgrade Jobs on the node that have neither succeeded nor failed (any upgrade, any attempt). */
  activeUpgradeJobs(node: string): Promise<string[]>;
  /** ReplicaSets whose ready pods are below their desired count. */
  unavailableWorkloads(): Promise<WorkloadGap[]>;
  /** Records a Kubernetes Event on a node (reporting controller kupgrade), as `kubectl describe node` shows it. */
  recordNodeEvent(e: NodeEventSpec): Promise<void>;
  /** The Lease kupgrade holds a cluster with (kube-upgrade/kupgrade), or undefined when there is none. */
  readLease(): Promise<ObservedLease | undefined>;
  /**
   * Writes the Lease for `self`: created when `previous` is undefined,
   * replaced on condition of `previous.resourceVersion` otherwise. False when
   * another writer got there first (the caller reads it again and decides again).
   */
  writeLease(args: { self: LeaseSelf; durationSeconds: number; now: string; previous?: ObservedLease }): Promise<boolean>;
  /** Deletes the Lease if `self` holds it; true when it did. */
  releaseLease(self: LeaseSelf): Promise<boolean>;
  /** Deletes kupgrade's Jobs and their pods in kube-upgrade (all upgrades when upgradeId is omitted). */
  deleteUpgradeJobs(upgradeId?: string): Promise<number>;
  /**
   * Everything the precheck judges, read with GETs only. Never throws for an
   * unreadable part: each part carries what was read or why it was not.
   */
  readClusterState(): Promise<ClusterSnapshot>;
  /** The pods on these nodes and the budgets of their namespaces, for the drain forecast (GETs only). */
  drainForecastRead(nodes: readonly string[]): Promise<DrainForecastRead>;
}
