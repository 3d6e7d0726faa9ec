import type { NodeInfo } from './clusterSnapshot.js';
import type { CheckReport, UpgradeError } from './upgrade.js';
import { sameVersion } from './versions.js';

/**
 * What a precheck's report makes of the upgrade: on to the masters, failed
 * (the cluster was not changed), paused while another upgrade holds the
 * cluster (resumable: it is not the cluster's fault), or done with nothing to
 * do (the cluster already runs the target everywhere: an upgrade resumed or
 * started at its time after another one did the work).
 */
export type PrecheckOutcome = { kind: 'passed' } | { kind: 'nothingToDo' } | { kind: 'paused'; error: UpgradeError } | { kind: 'failed'; error: UpgradeError };

export function decidePrecheck(
  report: CheckReport,
  seen: { version?: string; nodes: readonly Pick<NodeInfo, 'kubeletVersion'>[]; nodesUnreadable?: string },
  target: string,
): PrecheckOutcome {
  // no plan without the nodes: an empty list would make an upgrade of no masters that goes on to the workers
  if (seen.nodesUnreadable !== undefined || seen.nodes.length === 0)
    return {
      kind: 'paused',
      error: {
        reason: 'NodesUnreadable',
        message: `the precheck could not list the cluster's nodes (${seen.nodesUnreadable ?? 'the list was empty'}); nothing was changed`,
        remedy: "check the API server's health and that kupgrade may list nodes, then resume the upgrade (the precheck runs again)",
      },
    };
  const atTarget =
    seen.version !== undefined && sameVersion(seen.version, target) && seen.nodes.length > 0 && seen.nodes.every((n) => sameVersion(n.kubeletVersion, target));
  if (atTarget) return { kind: 'nothingToDo' };
  const failed = report.results.filter((r) => r.status === 'fail');
  if (failed.length > 0 && failed.every((r) => r.name === 'upgrade-lease')) return { kind: 'paused', error: leaseFailure(report) };
  if (report.status === 'failed') return { kind: 'failed', error: precheckFailure(report) };
  return { kind: 'passed' };
}

/** Why a failed precheck stopped the upgrade, as every upgrade that did not succeed says it: the failed checks named, the first one's remedy. */
function precheckFailure(report: CheckReport): UpgradeError {
  const failed = report.results.filter((r) => r.status === 'fail');
  return {
    reason: 'PrecheckFailed',
    message: `the precheck failed (${failed.map((r) => r.name).join(', ')}); the cluster was not changed: ${failed.map((r) => `${r.name}: ${r.message}`).join('; ')}`,
    remedy: `${failed[0]?.remedy ? `${failed[0].remedy}; ` : ''}then start a new upgrade (the report is the upgrade's precheck)`,
  };
}

function leaseFailure(report: CheckReport): UpgradeError {
  const check = report.results.find((r) => r.name === 'upgrade-lease')!;
  return {
    reason: 'ClusterLeased',
    message: `${check.message}; this upgrade changed nothing`,
    remedy: `${check.remedy.replace(/, then run the check again$/, '')}, then resume this upgrade`,
  };
}
