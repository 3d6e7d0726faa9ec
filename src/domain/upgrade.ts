import type { Phase, UpgradeStatus } from './upgradeStatus.js';
import type { ValidationState, WorkloadShortfall } from './validation.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';
export interface CheckResult {
  name: string;
  status: CheckStatus;
  message: string;
  remedy: string;
}
/** What will happen, before it happens: the masters' order and which worker goes in which batch. */
export interface UpgradePlan {
  masters: string[];
  /** the worker batches still to run, in order */
  batches: string[][];
}

export interface CheckReport {
  status: 'running' | 'passed' | 'failed';
  results: CheckResult[];
  plan?: UpgradePlan;
}

export interface UpgradeError {
  reason: string;
  message: string;
  remedy?: string;
  node?: string;
}

/** The upgrade as stored: one item per upgrade, written under optimistic locking on `version`. */
export interface Upgrade {
  id: string;
  clusterId: string;
  fromVersion: string;
  toVersion: string;
  status: UpgradeStatus;
  phase: Phase;
  pauseRequested: boolean;
  cancelRequested: boolean;
  masters: { total: number; upgraded: number; current: number | null; order: string[] };
  nodes: { total: number; upgraded: number };
  /** worker count when the upgrade started: the 10% cap is taken from it */
  workerCount: number;
  /** position on the 1, 2, 4, … ramp; back to 0 on resume */
  rampIndex: number;
  /** batch items created so far (their numbers are 1..batchSeq) */
  batchSeq: number;
  /** worker batches started so far (the API's 1-based batch index) */
  workerBatches: number;
  /** the batch in flight, or null at a boundary */
  currentBatch: number | null;
  /** nodes whose upgrade failed: the first ones retried on resume */
  retryFirst: string[];
  precheck?: CheckReport;
  /** what the user should do after a succeeded upgrade (local kubectl, pods to recreate); set when it ends */
  advice?: string[];
  /** kept current at every boundary; recomputed with the ramp at 1 after a resume */
  plan?: UpgradePlan;
  /** set while worker batches wait for the cluster's maintenance window */
  waitingForWindow?: { since: string; nextStart?: string };
  /** set between a settled batch and the next one while the cluster is being validated */
  validation?: ValidationState;
  error?: UpgradeError;
  executions: number;
  createdAt: string;
  updatedAt: string;
  /** when a scheduled upgrade starts */
  scheduledAt?: string;
  pausedAt?: string;
  /** epoch seconds; the table's TTL attribute, present only while paused */
  expiresAt?: number;
  version: number;
}

/** How far one node of a batch has got. */
export type NodeStep = 'pending' | 'draining' | 'upgrading' | 'verifying' | 'done' | 'failed' | 'skipped';

export interface NodeProgress {
  name: string;
  step: NodeStep;
  role: 'first-master' | 'master' | 'worker';
  /** whether kupgrade holds the node's cordon (false when an operator cordoned it first) */
  cordonedByUs?: boolean;
  /** kupgrade held the node cordoned when this batch took it up (a failed earlier attempt): no give-back path uncordons it, only its upgrade */
  heldBefore?: boolean;
  drainStartedAt?: string;
  jobName?: string;
  /** when its upgrade Job was started: the node-upgrade timeout runs from here */
  jobStartedAt?: string;
  error?: UpgradeError;
}

export type BatchStatus = 'running' | 'done' | 'failed';

export interface Batch {
  upgradeId: string;
  number: number;
  kind: 'master' | 'worker';
  /** 1-based among the worker batches (the API's `index`), or the master's position */
  index: number;
  nodes: NodeProgress[];
  /** nodes that were not Ready when the batch started: validation does not hold them against it */
  notReadyBefore: string[];
  /** ReplicaSets already short when the batch started, with their ready pods then: validation holds only a loss against it */
  workloadsShortBefore?: WorkloadShortfall[];
  /** the upgrade's `executions` when the batch was created: a batch that outlives a resume does not move the ramp */
  execution?: number;
  status: BatchStatus;
  startedAt: string;
  finishedAt?: string;
  version: number;
}

export function isNodeSettled(step: NodeStep): boolean {
  return step === 'done' || step === 'failed' || step === 'skipped';
}

export function batchOutcome(nodes: readonly NodeProgress[]): BatchStatus {
  if (!nodes.every((n) => isNodeSettled(n.step))) return 'running';
  return nodes.some((n) => n.step === 'failed') ? 'failed' : 'done';
}
