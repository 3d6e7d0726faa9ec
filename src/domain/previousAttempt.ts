import { UPGRADE_NAMESPACE } from './clusterMarks.js';
import type { NodeWait, WaitSeen } from './nodeWait.js';
import { leaveItOut } from './nodeUpgradeTimeout.js';

/**
 * The policy for an upgrade Job that outlived its attempt (the node-upgrade
 * timeout paused the upgrade, the Job went on running): a new attempt on the
 * node waits for it. It is not stopped: a Job stopped halfway through kubeadm
 * or a package install leaves a node worse off than one left to finish. The
 * node shows `waitingFor: PreviousAttemptRunning` naming the Job; once it
 * ends the new attempt's Job starts. Still running after the node-upgrade
 * timeout (counted from when the wait began), the node fails with the same
 * reason, and the remedy says to delete the Job if it is stuck.
 */
export const PREVIOUS_ATTEMPT_RUNNING = 'PreviousAttemptRunning';

export type PreviousAttemptVerdict = { kind: 'go' } | { kind: 'wait'; seen: WaitSeen } | { kind: 'timeout'; message: string; remedy: string };

export function judgePreviousAttempt(args: {
  node: string;
  /** kupgrade's upgrade Jobs still active on the node */
  activeJobs: readonly string[];
  /** this attempt's own Job (already started: not an earlier one) */
  ownJob: string;
  /** the node's wait as stored: when it already waited for a previous attempt, since when */
  waiting?: Pick<NodeWait, 'reason' | 'since'>;
  now: string;
  timeoutSeconds: number;
}): PreviousAttemptVerdict {
  const earlier = args.activeJobs.filter((j) => j !== args.ownJob).sort();
  const job = earlier[0];
  if (!job) return { kind: 'go' };
  const since = args.waiting?.reason === PREVIOUS_ATTEMPT_RUNNING ? args.waiting.since : args.now;
  const deadline = new Date(Date.parse(since) + args.timeoutSeconds * 1000).toISOString();
  const object = `job/${UPGRADE_NAMESPACE}/${job}`;
  if (Date.parse(args.now) < Date.parse(deadline)) {
    return {
      kind: 'wait',
      seen: {
        reason: PREVIOUS_ATTEMPT_RUNNING,
        message: `node ${args.node}: the upgrade job ${job} of an earlier attempt is still running; the new attempt waits for it to end (it is not stopped)`,
        object,
        deadline,
      },
    };
  }
  return {
    kind: 'timeout',
    message: `node ${args.node}: the upgrade job ${job} of an earlier attempt was still running ${args.timeoutSeconds}s after the new attempt began waiting for it; no second upgrade was started on the node`,
    remedy: `look at it (kubectl -n ${UPGRADE_NAMESPACE} describe job ${job}, and its pod's logs); if it is stuck, delete it (kubectl -n ${UPGRADE_NAMESPACE} delete job ${job}) and check node ${args.node}, then resume the upgrade; ${leaveItOut(args.node)}`,
  };
}
