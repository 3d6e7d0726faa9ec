import { apiServer } from './checks/apiServer.js';
import { controlPlaneHealth } from './checks/controlPlaneHealth.js';
import { helperLeftovers } from './checks/helperLeftovers.js';
import { kubeletSkew } from './checks/kubeletSkew.js';
import { nodeHeadroom, nodePressure, swap } from './checks/nodeChecks.js';
import { nodesReady } from './checks/nodesReady.js';
import { pdbBlockers } from './checks/pdbBlockers.js';
import { barePods, flexvolumeOss, localStorageCheck } from './checks/podChecks.js';
import { removedApis } from './checks/removedApis.js';
import type { CheckRule, CheckContext } from './checks/result.js';
import { targetVersion } from './checks/targetVersion.js';
import { upgradeLease } from './checks/upgradeLease.js';
import type { CheckReport, CheckResult } from './upgrade.js';

export type { CheckRule, CheckContext } from './checks/result.js';

/** The upgrade check, in the order a report shows it: reachability and versions first, then the cluster's state, then the workloads. */
export const CHECKS: readonly CheckRule[] = [
  apiServer,
  targetVersion,
  upgradeLease,
  nodesReady,
  kubeletSkew,
  controlPlaneHealth,
  removedApis,
  pdbBlockers,
  barePods,
  localStorageCheck,
  helperLeftovers,
  flexvolumeOss,
  swap,
  nodePressure,
  nodeHeadroom,
];

export function runChecks(c: CheckContext): CheckResult[] {
  return CHECKS.map((check) => check(c));
}

/** Any `fail` blocks the upgrade; warnings let it start and stay visible. */
export function summarize(results: CheckResult[]): CheckReport {
  return { status: results.some((r) => r.status === 'fail') ? 'failed' : 'passed', results };
}
