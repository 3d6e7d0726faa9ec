import type { Phase, UpgradeStatus } from './upgradeStatus.js';
import type { NodeWait } from './nodeWait.js';
import type { StatusChange } from './outbox.js';
import type { ValidationState, WorkloadShortfall } from './validation.js';

type CheckStatus = 'pass' | 'warn' | 'fail';
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

/**
 * What an upgrade or a check keeps of its plan: the masters, the batch sizes
 * and the next batch; the names of every batch live in pages of their own
 * (src/store/plans.ts), so no item grows with the cluster.
 */
export interface PlanSummary {
  /** the revision of the pages that hold it */
  rev: number;
  pages: number;
  /** leading batches of those pages that have started since they were written */
  offset?: number;
  masters: string[];
  batchSizes: number[];
  next: string[];
}

export interface CheckReport {
  status: 'running' | 'passed' | 'failed';
  results: CheckResult[];
  /** in memory only: stored, the plan is a summary and pages */
  plan?: UpgradePlan;
  planSummary?: PlanSummary;
}

export interface UpgradeError {
  reason: string;
  message: string;
  remedy?: string;
  node?: string;
  /** the phase the upgrade was in when it stopped */
  phase?: Phase;
}

/** Why the next batch waits: a gate's hold, since when, and when it pauses the upgrade if it still holds. */
export interface UpgradeWait {
  gate: string;
  reason: string;
  message: string;
  object?: string;
  since: string;
  /** when the upgrade pauses if it still waits */
  deadline?: string;
  /** when the wait ends by itself (a maintenance window opens, a soak is over) */
  until?: string;
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
  /** the plan of what has not started: kept current at every boundary, cut again from 1 after a resume (its names in pages) */
  planSummary?: PlanSummary;
  /** set while the next batch waits: its validation, or a gate holding it back (the maintenance window, a node not Ready, …) */
  waitingFor?: UpgradeWait;
  /** when the precheck read the cluster: nodes that existed then were Ready (the precheck fails otherwise) */
  startedAt?: string;
  /** when it ended (succeeded, failed, cancelled, expired) */
  endedAt?: string;
  /** upgrades whose lapsed Lease in the cluster this one took over: their cordons are its to take over too */
  leaseTakenFrom?: string[];
  /** set between a settled batch and the next one while the cluster is being validated */
  validation?: ValidationState;
  /** the shortest upgrade Job run of its nodes so far, in seconds: a batch's Jobs are waited for by it (src/domain/pollTiming.ts) */
  jobSeconds?: number;
  error?: UpgradeError;
  /** the starts and resumes (and a cancel's cleanup run): what the ramp counts */
  executions: number;
  /** the execution that runs the upgrade now (its Begin wrote it): the next one waits for it to end */
  execution?: string;
  /** how many times a long upgrade went on in a new execution; never moves the ramp */
  continuations?: number;
  createdAt: string;
  updatedAt: string;
  /** when a scheduled upgrade starts */
  scheduledAt?: string;
  pausedAt?: string;
  /** epoch seconds; the table's TTL attribute, present only while paused */
  expiresAt?: number;
  /** status changes not yet published, by their stable id (src/domain/outbox.ts) */
  outbox?: Record<string, StatusChange>;
  /** status changes counted so far: the seq of the last one's id */
  outboxSeq?: number;
  /** undelivered changes dropped because the outbox was full */
  outboxDropped?: number;
  /** the events decided by the write that made this version, with their keys: written out after it, again if that was cut short */
  pendingEvents?: StampedEvent[];
  /** the pending events wait for what they tell (a resume's execution to start) and may be taken back: readers are not shown them */
  pendingHeld?: boolean;
  version: number;
}

/** What happened, as the upgrade's event log shows it. */
export interface UpgradeEvent {
  at: string;
  type: string;
  message: string;
  node?: string;
  /** who asked for it (a pause, a resume, a cancel, a start) */
  by?: string;
}

/**
 * An event with its place in the log fixed when it was decided. It travels in
 * the item whose write decided it (dynalite has no transactions): a step cut
 * short after that write leaves it there, and whoever writes the item next
 * writes it out first, under the same key, so it is neither lost nor doubled.
 */
export interface StampedEvent extends UpgradeEvent {
  seq: string;
}

/** How far one node of a batch has got. */
export type NodeStep = 'pending' | 'draining' | 'upgrading' | 'verifying' | 'done' | 'failed' | 'skipped';

export interface NodeProgress {
  name: string;
  step: NodeStep;
  /** when it reached this step */
  since?: string;
  /** what it waits for now, while it waits */
  waitingFor?: NodeWait;
  role: 'first-master' | 'master' | 'worker';
  /** whether kupgrade holds the node's cordon (false when an operator cordoned it first) */
  cordonedByUs?: boolean;
  /** kupgrade held the node cordoned when this batch took it up (a failed earlier attempt): no give-back path uncordons it, only its upgrade */
  heldBefore?: boolean;
  drainStartedAt?: string;
  jobName?: string;
  /** when its upgrade Job was started: the node-upgrade timeout runs from here */
  jobStartedAt?: string;
  /** how long its upgrade Job ran, as the Job says: what the next polls are timed by (src/domain/pollTiming.ts) */
  jobSeconds?: number;
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
  /** as on the upgrade: the events the write of this version decided */
  pendingEvents?: StampedEvent[];
  version: number;
}

export function isNodeSettled(step: NodeStep): boolean {
  return step === 'done' || step === 'failed' || step === 'skipped';
}

export function batchOutcome(nodes: readonly NodeProgress[]): BatchStatus {
  if (!nodes.every((n) => isNodeSettled(n.step))) return 'running';
  return nodes.some((n) => n.step === 'failed') ? 'failed' : 'done';
}
