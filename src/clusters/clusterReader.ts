import { KupgradeError } from '../domain/errors.js';

/** What the API knows of a cluster's nodes when it reads them. */
export interface NodeView {
  name: string;
  role: 'master' | 'worker';
  version: string;
  ready: boolean;
  unschedulable: boolean;
}

export interface ClusterSnapshot {
  version: string;
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
  read(source: KubeconfigSource): Promise<ClusterSnapshot>;
  /** Starts check `checkId` in the background; the report lands in the store. */
  startCheck(args: { clusterId: string; checkId: string }): Promise<void>;
}

/** The read function's answer: errors are data, so their reason and remedy cross the invoke boundary intact. */
export type ReadClusterResult = { ok: true; snapshot: ClusterSnapshot } | { ok: false; reason: string; message: string; remedy: string };

export function snapshotOrThrow(result: ReadClusterResult): ClusterSnapshot {
  if (result.ok) return result.snapshot;
  throw new KupgradeError(result.reason, { message: result.message, remedy: result.remedy });
}
