import type { ClusterDriver } from '../kube/clusterDriver.js';
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import type { Cluster } from '../store/clusters.js';
import type { Notifier } from '../notify/notifier.js';
import type { PhaseWorkflow } from '../workflow/workflowPort.js';

/** What a phase step needs from the outside world; tests and the local stack build their own. */
export interface PhaseContext {
  db: Db;
  config: Config;
  driverFor(cluster: Cluster): Promise<ClusterDriver>;
  now(): string;
  /** starts the execution a long upgrade continues in (Step Functions deployed, the local engine here) */
  workflow?: PhaseWorkflow;
  /** where status changes are published: the sweeper drains the outboxes a failed publish left */
  notifier?: Notifier;
}

/** The state that flows between the state machine's Tasks. */
export interface StepState {
  clusterId: string;
  upgradeId: string;
  phase: string;
  status: string;
  /** true: the execution ends here (paused, cancelled, failed, succeeded) */
  stop: boolean;
  /** true: a step is in flight; poll again after pollSeconds */
  wait: boolean;
  pollSeconds: number;
  /** the history this execution has counted so far, and how much it may before it continues in a new one */
  historyEvents?: number;
  maxHistoryEvents?: number;
}
