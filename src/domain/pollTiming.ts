import { isNodeSettled, type NodeProgress } from './upgrade.js';

/**
 * When to look at a batch in flight again. Fixed polls every POLL_SECONDS
 * see a Job done up to a poll late, and each poll's own time (the Task, the
 * state transitions) adds up over a Job's run: ten 1 s polls take ~10.7 s.
 * So while every node left in the batch is in its upgrade Job, the next look
 * is timed to when the last of them is expected to finish, from how long
 * this upgrade's Jobs have run so far (the Job's own startTime and
 * completionTime), in one wait; past that time the looks come close together
 * and spread out again (1 s, 1 s, 2 s, 4 s, … up to a poll), so a late Job
 * costs a few more polls, not one per second. A Job this very step started
 * is counted from the end of the step (its jobStartedAt is the step's own
 * time, and it was created at some point since): a look a little after the
 * Job ends costs that little, one a little before costs a whole poll.
 *
 * Anything else in flight (a drain, a Job whose pod has not started, a node
 * coming back Ready) and an upgrade that has not seen a Job finish yet poll
 * every POLL_SECONDS, as before. A pause or cancel does not need an earlier
 * look: the nodes in their Job finish either way, and neither takes effect
 * before the batch settles.
 */

/**
 * The longest timed wait: a Job that fails early is seen at most this late
 * (its node stays cordoned meanwhile, as it would anyway), and a step's gap
 * stays far below the Lease's running duration (LEASE_SECONDS, 2 h).
 */
export const MAX_TIMED_WAIT_SECONDS = 300;

export function nextBatchPollSeconds(
  nodes: readonly NodeProgress[],
  args: {
    now: string;
    pollSeconds: number;
    nodeUpgradeTimeoutSeconds: number;
    expectedJobSeconds?: number;
    /** the step's own time (its jobStartedAt for the Jobs it started) */
    stepStartedAt?: string;
  },
): number {
  const { pollSeconds, expectedJobSeconds } = args;
  const inFlight = nodes.filter((n) => !isNodeSettled(n.step));
  // a Job whose pod has not started yet counts too: the Job's run (startTime to completionTime) includes that
  const inJob = (n: NodeProgress) => n.step === 'upgrading' && n.jobStartedAt !== undefined;
  if (expectedJobSeconds === undefined || inFlight.length === 0 || !inFlight.every(inJob)) return pollSeconds;
  const now = Date.parse(args.now);
  const starts = inFlight.map((n) => (n.jobStartedAt === args.stepStartedAt ? now : Date.parse(n.jobStartedAt!)));
  const untilEnd = (Math.max(...starts) + expectedJobSeconds * 1000 - now) / 1000;
  if (untilEnd <= 0) return Math.min(pollSeconds, Math.max(1, Math.ceil(-untilEnd)));
  // never past a node's timeout: it is judged at the look that comes then
  const firstDeadline = Math.min(...inFlight.map((n) => Date.parse(n.jobStartedAt!))) + args.nodeUpgradeTimeoutSeconds * 1000;
  const untilDeadline = (firstDeadline - now) / 1000;
  return Math.max(1, Math.min(Math.ceil(untilEnd), Math.ceil(untilDeadline), Math.max(pollSeconds, MAX_TIMED_WAIT_SECONDS)));
}

/** What the upgrade keeps of its Jobs' runs: the shortest seen, so the timed look comes no later than the first Job of a batch can end. */
export function shortestJobSeconds(known: number | undefined, nodes: readonly NodeProgress[]): number | undefined {
  const runs = nodes.map((n) => n.jobSeconds).filter((s): s is number => s !== undefined);
  if (known !== undefined) runs.push(known);
  return runs.length > 0 ? Math.min(...runs) : undefined;
}
