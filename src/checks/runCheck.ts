import type { ClusterDriver } from '../cluster/clusterDriver.js';
import { readAndCheck } from '../phases/precheck.js';
import { getCheck, finishCheck } from '../store/checks.js';
import { getCluster, type Cluster } from '../store/clusters.js';
import type { Db } from '../store/db.js';

export interface RunCheckDeps {
  db: Db;
  driverFor(cluster: Cluster): Promise<ClusterDriver>;
  now(): string;
}

/**
 * Runs a stored check: the upgrade's own precheck suite (readAndCheck), which
 * only reads the cluster. A cluster that cannot be read is a failed report
 * (the api-server check says why), not a crash.
 */
export async function runCheck(deps: RunCheckDeps, args: { clusterId: string; checkId: string }): Promise<void> {
  const check = await getCheck(deps.db, args.clusterId, args.checkId);
  if (!check || check.finishedAt) return;
  const cluster = await getCluster(deps.db, args.clusterId);
  if (!cluster) {
    await finishCheck(deps.db, args.clusterId, args.checkId, { report: { status: 'failed', results: [] }, error: `cluster ${args.clusterId} was unregistered`, finishedAt: deps.now() });
    return;
  }
  let report;
  try {
    report = (await readAndCheck(await deps.driverFor(cluster), check.targetVersion, cluster.id)).report;
  } catch (err) {
    await finishCheck(deps.db, args.clusterId, args.checkId, { report: { status: 'failed', results: [] }, error: (err as Error).message, finishedAt: deps.now() });
    return;
  }
  await finishCheck(deps.db, args.clusterId, args.checkId, { report, finishedAt: deps.now() });
}
