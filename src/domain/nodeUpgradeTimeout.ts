import { ANNOTATION_CORDONED_BY, UPGRADE_NAMESPACE } from './clusterMarks.js';
import { sameVersion } from './versions.js';

/** What the last look at a node still in its upgrade showed. */
export type NodeUpgradeSeen =
  /** the node's upgrade Job has not succeeded: still running (or its pod never started), or gone */
  | { step: 'upgrading'; job: 'running' | 'absent' }
  /** the Job succeeded; the node has not come back Ready at the target */
  | { step: 'verifying'; ready: boolean; kubeletVersion: string };

/** The way out for a node the user would rather handle by hand: without kupgrade's hold it is treated as an operator's cordon. */
export const leaveItOut = (node: string) =>
  `or, to handle node ${node} yourself, remove kupgrade's hold (kubectl annotate node ${node} ${ANNOTATION_CORDONED_BY}-) before resuming: kupgrade then leaves it cordoned, passing it over if it already runs the target`;

export type NodeUpgradeVerdict = { kind: 'wait' } | { kind: 'timeout'; message: string; remedy: string };

/**
 * A node's upgrade (its Job, then its kubelet coming back Ready at the
 * target) may take `timeoutSeconds` from the start of its Job. Past that the
 * node fails: it stays cordoned (its Job may still be running) and the upgrade
 * pauses naming it, instead of being polled for ever.
 */
export function judgeNodeUpgrade(args: {
  node: string;
  jobName: string;
  targetVersion: string;
  jobStartedAt: string;
  now: string;
  timeoutSeconds: number;
  seen: NodeUpgradeSeen;
}): NodeUpgradeVerdict {
  const elapsed = (Date.parse(args.now) - Date.parse(args.jobStartedAt)) / 1000;
  if (elapsed < args.timeoutSeconds) return { kind: 'wait' };
  const job = `${UPGRADE_NAMESPACE}/${args.jobName}`;
  const { seen } = args;
  const head = `node ${args.node} did not finish its upgrade within ${args.timeoutSeconds}s of the start of its Job ${job}`;
  if (seen.step === 'upgrading') {
    const what = seen.job === 'running' ? 'the Job is still running (its pod may never have started)' : 'the Job is gone (deleted before it finished)';
    return {
      kind: 'timeout',
      message: `${head}: ${what}; the node stays cordoned`,
      remedy: `find out why with kubectl -n ${UPGRADE_NAMESPACE} describe job ${args.jobName} and its pod's events and logs; repair node ${args.node}, let the Job finish or delete it, then resume the upgrade: the node is upgraded again with a new Job, which waits for this one to end (a Job still running is never stopped, nor run beside; the node shows PreviousAttemptRunning meanwhile); ${leaveItOut(args.node)}`,
    };
  }
  const state = [
    seen.ready ? undefined : 'the node is not Ready',
    sameVersion(seen.kubeletVersion, args.targetVersion) ? undefined : `its kubelet reports ${seen.kubeletVersion || 'no version'}, not ${args.targetVersion}`,
  ].filter(Boolean);
  return {
    kind: 'timeout',
    message: `${head}: the Job succeeded but ${state.join(' and ') || 'the node did not come back'}; the node stays cordoned`,
    remedy: `look at the kubelet on node ${args.node} (systemctl status kubelet, journalctl -u kubelet): it must run ${args.targetVersion} and report Ready; then resume the upgrade (the node is upgraded again with a new Job); ${leaveItOut(args.node)}`,
  };
}
