import type { ClusterDriver } from '../kube/clusterDriver.js';
import { readAndCheck } from './readAndCheck.js';
import { getCheck, finishCheck } from '../store/checks.js';
import { writePlan } from '../store/plans.js';
import { getCluster, type Cluster } from '../store/clusters.js';
import type { Db } from '../store/db.js';

export interface RunCheckDeps {
  db: Db;
  driverFor(cluster: Cluster): Promise<ClusterDriver>;
  now(): string;
  /** this installation's name: a check alone holds no Lease, so any live holder of it is another upgrade */
  config?: { installation: string };
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
    await finishCheck(deps.db, args.clusterId, args.checkId, {
      report: { status: 'failed', results: [] },
      error: `cluster ${args.clusterId} was unregistered`,
      finishedAt: deps.now(),
    });
    return;
  }
  let report;
  try {
    const self = { installation: deps.config?.installation ?? '', upgradeId: '', clusterId: cluster.id };
    report = (await readAndCheck(await deps.driverFor(cluster), check.targetVersion, cluster.id, { self, now: deps.now() })).report;
  } catch (err) {
    await finishCheck(deps.db, args.clusterId, args.checkId, {
      report: { status: 'failed', results: [] },
      error: (err as Error).message,
      finishedAt: deps.now(),
    });
    return;
  }
  // the plan's names in pages of their own; the check keeps its summary
  const { plan, ...rest } = report;
  const planSummary = plan ? await writePlan(deps.db, { clusterId: args.clusterId, checkId: args.checkId }, 1, plan) : undefined;
  await finishCheck(deps.db, args.clusterId, args.checkId, { report: { ...rest, ...(planSummary ? { planSummary } : {}) }, finishedAt: deps.now() });
}
