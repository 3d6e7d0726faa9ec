import { KupgradeError } from '../domain/errors.js';
import type { DrainForecastRead } from '../domain/drainForecast.js';

/** What the API knows of a cluster's nodes when it reads them. */
export interface NodeView {
  name: string;
  role: 'master' | 'worker';
  version: string;
  ready: boolean;
  unschedulable: boolean;
  /** who holds its cordon: kupgrade (upgradeId names the upgrade) or an operator; absent when it is schedulable */
  cordonedBy?: 'kupgrade' | 'operator';
  cordonUpgradeId?: string;
}

export interface ClusterOverview {
  version: string;
  /** the UID of the kube-system namespace: which physical cluster this is */
  identity: string;
  nodes: NodeView[];
}

/** A kubeconfig given at registration, or the reference of a stored one. */
export type KubeconfigSource = { kubeconfig: string } | { kubeconfigRef: string };

/**
 * The API's one way into a cluster. The API functions never hold the
 * Kubernetes client (their bundles must stay small and free of it); a
 * separate function reads the cluster and runs checks. Deployed, the API
 * invokes it through Lambda; locally, the same handler runs in-process.
 */
export interface ClusterReader {
  /** Reads version and nodes; throws a KupgradeError naming why the cluster could not be read. */
  read(source: KubeconfigSource): Promise<ClusterOverview>;
  /** The pods on these nodes and their namespaces' budgets, for the drain forecast; throws a KupgradeError naming why it could not read. */
  readDrain(source: KubeconfigSource, nodes: readonly string[]): Promise<DrainForecastRead>;
  /** Starts check `checkId` in the background; the report lands in the store. */
  startCheck(args: { clusterId: string; checkId: string }): Promise<void>;
}

/** The read function's answer: errors are data, so their reason and remedy cross the invoke boundary intact. */
export type ReadClusterResult = { ok: true; overview: ClusterOverview } | { ok: false; reason: string; message: string; remedy: string };

export type ReadDrainResult = { ok: true; drain: DrainForecastRead } | { ok: false; reason: string; message: string; remedy: string };

export function drainOrThrow(result: ReadDrainResult): DrainForecastRead {
  if (result.ok) return result.drain;
  throw new KupgradeError(result.reason, { message: result.message, remedy: result.remedy });
}

export function overviewOrThrow(result: ReadClusterResult): ClusterOverview {
  if (result.ok) return result.overview;
  throw new KupgradeError(result.reason, { message: result.message, remedy: result.remedy });
}
