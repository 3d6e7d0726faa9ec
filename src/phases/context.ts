import type { ClusterDriver } from '../cluster/clusterDriver.js';
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import type { Cluster } from '../store/clusters.js';

/** What a phase step needs from the outside world; tests and the local stack build their own. */
export interface PhaseContext {
  db: Db;
  config: Config;
  driverFor(cluster: Cluster): Promise<ClusterDriver>;
  now(): string;
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
}
