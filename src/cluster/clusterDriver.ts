/**
 * The one port to a target cluster. The Kubernetes driver implements it over
 * the real API; phase logic in src/ only ever talks to this interface.
 * Every method is safe to call again after a crash or a retry.
 */
import type { ClusterSnapshot, NodeInfo } from '../domain/clusterSnapshot.js';

export type { NodeInfo };

export type NodeRole = NodeInfo['role'];
export type JobRole = 'first-master' | 'master' | 'worker';

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

export type JobPhase = 'absent' | 'running' | 'succeeded' | 'failed';

export interface JobStatus {
  name: string;
  phase: JobPhase;
  message?: string;
}

/** A pod the Eviction API refused (HTTP 429) because a PodDisruptionBudget forbids it. */
export interface DrainBlocker {
  /** namespace/name of the pod */
  pod: string;
  /** name of the PodDisruptionBudget, when the server or the PDB list names it */
  pdb?: string;
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
  blockers: DrainBlocker[];
}

export interface CordonResult {
  /** true when kupgrade holds the cordon (it set it now or earlier, or adopted one an ended upgrade left); false when an operator cordoned the node first */
  cordonedByUs: boolean;
  /** the ended upgrade whose cordon was taken over by this call */
  adoptedFrom?: string;
}

/** A workload with fewer ready pods than it wants (e.g. evicted pods not yet back). */
export interface WorkloadGap {
  kind: 'ReplicaSet';
  /** namespace/name */
  name: string;
  ready: number;
  desired: number;
}

export interface ClusterDriver {
  /** The API server's version without the leading "v". */
  serverVersion(): Promise<string>;
  listNodes(): Promise<NodeInfo[]>;
  getNode(name: string): Promise<NodeInfo>;
  /**
   * Marks the node unschedulable and, in the same patch, records
   * kupgrade.io/cordoned-by=<upgradeId> on it. A node an operator had already
   * cordoned (no annotation) is left as it is and reported with
   * cordonedByUs=false. A cordon annotated with another upgrade id was left by
   * an ended kupgrade upgrade (a cluster has one active upgrade at a time): it
   * is adopted, its annotation rewritten to upgradeId, so it is undone once
   * the node is upgraded.
   */
  cordon(node: string, upgradeId: string): Promise<CordonResult>;
  /** Makes the node schedulable again only if this upgrade cordoned it; returns whether it did. */
  uncordon(node: string, upgradeId: string): Promise<boolean>;
  /** One eviction pass over the node's pods (DaemonSet and mirror pods stay). */
  drain(node: string): Promise<DrainPass>;
  /** Creates the node's upgrade Job in kube-upgrade; an existing one (409) is kept. */
  ensureUpgradeJob(spec: UpgradeJobSpec): Promise<{ name: string; created: boolean }>;
  upgradeJobStatus(upgradeId: string, node: string, attempt?: number): Promise<JobStatus>;
  /** ReplicaSets whose ready pods are below their desired count. */
  unavailableWorkloads(): Promise<WorkloadGap[]>;
  /** Deletes kupgrade's Jobs and their pods in kube-upgrade (all upgrades when upgradeId is omitted). */
  deleteUpgradeJobs(upgradeId?: string): Promise<number>;
  /**
   * Everything the precheck judges, read with GETs only. Never throws for an
   * unreadable part: each part carries what was read or why it was not.
   */
  readClusterState(): Promise<ClusterSnapshot>;
}

/** Builds a driver for one registered cluster. */
export type ClusterDriverFactory = (clusterId: string) => Promise<ClusterDriver>;
