import { planFor } from '../domain/batchPlan.js';
import type { LeaseSelf } from '../domain/clusterLease.js';
import type { NodeInfo } from '../domain/clusterSnapshot.js';
import { runChecks, summarize, type CheckContext } from '../domain/precheck.js';
import type { CheckReport } from '../domain/upgrade.js';
import type { ClusterDriver } from '../kube/clusterDriver.js';

/** Reads the cluster (never writes) and runs the check suite on what it read; the report carries the plan the upgrade would follow. */
export async function readAndCheck(
  driver: ClusterDriver,
  targetVersion: string,
  clusterId: string,
  who?: { self: LeaseSelf; now: string },
): Promise<{ report: CheckReport; version?: string; nodes: NodeInfo[]; nodesUnreadable?: string }> {
  const snapshot = await driver.readClusterState();
  const version = snapshot.serverVersion.ok ? snapshot.serverVersion.value : undefined;
  const nodes: NodeInfo[] = snapshot.nodes.ok ? snapshot.nodes.value : [];
  const input: CheckContext = { targetVersion, snapshot, ...(who ?? {}) };
  return {
    report: { ...summarize(runChecks(input)), plan: planFor(nodes, targetVersion, clusterId) },
    version,
    nodes,
    ...(snapshot.nodes.ok ? {} : { nodesUnreadable: snapshot.nodes.reason }),
  };
}
