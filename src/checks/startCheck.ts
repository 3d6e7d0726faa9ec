import type { ClusterReader } from '../registration/clusterReader.js';
import { normalizeVersion } from '../domain/versions.js';
import { insertCheck, finishCheck, type CheckRun } from '../store/checks.js';
import { requireCluster } from '../store/clusters.js';
import type { Db } from '../store/db.js';
import { requireUpgradePath } from '../domain/catalog.js';

export interface StartCheckDeps {
  db: Db;
  reader: ClusterReader;
  now(): string;
  newId(prefix: string): string;
}

/**
 * Records a running check and hands it to the reader; if the hand-off fails
 * the check says so instead of running forever. A target the upgrade route
 * would refuse (a downgrade, a skipped minor) is refused here the same way,
 * with a 400 and nothing stored: a check answers "can this upgrade go ahead?".
 */
export async function startCheck(deps: StartCheckDeps, args: { clusterId: string; targetVersion: string }): Promise<CheckRun> {
  const cluster = await requireCluster(deps.db, args.clusterId);
  requireUpgradePath(cluster, args.targetVersion);
  const check: CheckRun = {
    id: deps.newId('chk'),
    clusterId: args.clusterId,
    targetVersion: normalizeVersion(args.targetVersion),
    report: { status: 'running', results: [] },
    createdAt: deps.now(),
  };
  await insertCheck(deps.db, check);
  try {
    await deps.reader.startCheck({ clusterId: check.clusterId, checkId: check.id });
  } catch (err) {
    await finishCheck(deps.db, check.clusterId, check.id, {
      report: { status: 'failed', results: [] },
      error: `the check could not be started: ${(err as Error).message}`,
      finishedAt: deps.now(),
    });
    throw err;
  }
  return check;
}
