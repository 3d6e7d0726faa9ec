import type { UpgradeEvent } from './upgrade.js';

/**
 * What a node of the current batch waits for, and until when: the deadline is
 * when its timeout pauses the upgrade. A wait is recorded when it begins and
 * when it ends (an event each), never once per poll.
 */
export interface NodeWait {
  /** CamelCase: DrainBlocked, PodTerminating, PodsLeaving, PreviousAttemptRunning, JobPending, JobRunning, NodeNotReady */
  reason: string;
  message: string;
  /** what it is about: poddisruptionbudget/<ns>/<name>, pod/<ns>/<name>, job/kube-upgrade/<name>, node/<name> */
  object?: string;
  since: string;
  deadline?: string;
  /** its beginning was told as an event: its end is told too */
  announced?: boolean;
}

export type WaitSeen = Omit<NodeWait, 'since' | 'announced'>;

const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

export interface DrainLook {
  node: string;
  remaining: readonly string[];
  /** pods with a deletionTimestamp that have not gone yet */
  terminating?: readonly string[];
  blockers: ReadonlyArray<{ pod: string; pdb?: string; namespace?: string; disruptionsAllowed?: number; message: string }>;
  startedAt: string;
  timeoutSeconds: number;
}

/** A drain that has not finished: a budget refusing an eviction comes first, then a pod stuck terminating, then pods on their way out. */
export function drainWait(look: DrainLook): WaitSeen {
  const deadline = plus(look.startedAt, look.timeoutSeconds);
  const blocker = look.blockers[0];
  if (blocker) {
    const [namespace] = blocker.pod.split('/');
    const budget = blocker.pdb
      ? `PodDisruptionBudget ${blocker.namespace ?? namespace}/${blocker.pdb}${blocker.disruptionsAllowed !== undefined ? ` (allows ${blocker.disruptionsAllowed} disruption${blocker.disruptionsAllowed === 1 ? '' : 's'})` : ''}`
      : 'a PodDisruptionBudget';
    return {
      reason: 'DrainBlocked',
      message: `${budget} blocks the eviction of pod ${blocker.pod} from node ${look.node}: ${blocker.message}`,
      ...(blocker.pdb ? { object: `poddisruptionbudget/${blocker.namespace ?? namespace}/${blocker.pdb}` } : { object: `pod/${blocker.pod}` }),
      deadline,
    };
  }
  const stuck = look.terminating?.[0];
  if (stuck) {
    return { reason: 'PodTerminating', message: `pod ${stuck} on node ${look.node} is still terminating`, object: `pod/${stuck}`, deadline };
  }
  const leaving = look.remaining[0];
  return {
    reason: 'PodsLeaving',
    message: `${look.remaining.length} pod(s) still on node ${look.node}${leaving ? `, e.g. ${leaving}` : ''}`,
    ...(leaving ? { object: `pod/${leaving}` } : {}),
    deadline,
  };
}

/** The node's upgrade Job has not succeeded yet. */
export function jobWait(args: { node: string; namespace: string; job: string; pending: boolean; jobStartedAt: string; timeoutSeconds: number }): WaitSeen {
  return {
    reason: args.pending ? 'JobPending' : 'JobRunning',
    message: `upgrade job ${args.job} on node ${args.node} is ${args.pending ? 'pending (its pod has not started)' : 'running'}`,
    object: `job/${args.namespace}/${args.job}`,
    deadline: plus(args.jobStartedAt, args.timeoutSeconds),
  };
}

/** The Job succeeded; the node is not back Ready at the target yet. */
export function readyWait(args: {
  node: string;
  ready: boolean;
  kubeletVersion: string;
  target: string;
  jobStartedAt: string;
  timeoutSeconds: number;
}): WaitSeen {
  const what = [args.ready ? '' : 'not Ready', args.kubeletVersion === args.target ? '' : `at kubelet ${args.kubeletVersion || 'unknown'}, not ${args.target}`]
    .filter(Boolean)
    .join(' and ');
  return {
    reason: 'NodeNotReady',
    message: `node ${args.node} is ${what || 'not back'} after its upgrade`,
    object: `node/${args.node}`,
    deadline: plus(args.jobStartedAt, args.timeoutSeconds),
  };
}

/**
 * The waits worth an event: something holds the node up that is not the
 * upgrade's own work. A budget refusing an eviction is told at once; a pod
 * still terminating or a Job whose pod has not started is told once it has
 * lasted LATE_SECONDS (most end within a poll or two). The others (a Job
 * running, pods leaving, a kubelet coming back) are shown on the node while
 * they last, not logged: at thousands of nodes they would be most of the log.
 */
const AT_ONCE = new Set(['DrainBlocked', 'PreviousAttemptRunning']);
const LATE = new Set(['PodTerminating', 'JobPending']);
const LATE_SECONDS = 60;

/**
 * The node's wait after this step: the same reason about the same object keeps
 * the time it began; a wait worth telling is an event when it is told and
 * another when it ends (never one per poll).
 */
export function carryWait(
  prev: NodeWait | undefined,
  seen: WaitSeen | undefined,
  args: { now: string; node: string },
): { waitingFor?: NodeWait; events: UpgradeEvent[] } {
  const events: UpgradeEvent[] = [];
  const same = prev && seen && prev.reason === seen.reason && prev.object === seen.object;
  if (prev && !same && prev.announced) {
    const waited = Math.round((Date.parse(args.now) - Date.parse(prev.since)) / 1000);
    events.push({
      at: args.now,
      type: 'WaitEnded',
      message: `node ${args.node} no longer waits (${prev.reason}, ${waited}s): ${prev.message}`,
      node: args.node,
    });
  }
  if (!seen) return { events };
  const since = same ? prev.since : args.now;
  const tell =
    !(same && prev.announced) && (AT_ONCE.has(seen.reason) || (LATE.has(seen.reason) && Date.parse(args.now) - Date.parse(since) >= LATE_SECONDS * 1000));
  if (tell) events.push({ at: args.now, type: seen.reason, message: seen.message, node: args.node });
  const announced = tell || (same && prev.announced);
  return { waitingFor: { ...seen, since, ...(announced ? { announced: true } : {}) }, events };
}
