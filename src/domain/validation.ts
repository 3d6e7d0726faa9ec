import { sameVersion } from './versions.js';

/**
 * Between two batches the cluster must be healthy, twice in a row a soak
 * apart, so a node that flaps back to Ready for one look does not pass:
 * the nodes just upgraded Ready at the target, every node that was Ready
 * before the batch still Ready, and evicted pods running again (a ReplicaSet
 * already short when the batch started counts only if it lost ready pods).
 */
export interface ValidationState {
  /** the batch whose result is being validated */
  batch: number;
  since: string;
  passes: number;
  lastPassAt?: string;
  problems?: string[];
}

export interface ClusterObservation {
  nodes: ReadonlyArray<{ name: string; ready: boolean; kubeletVersion: string }>;
  workloadGaps: ReadonlyArray<{ name: string; ready: number; desired: number }>;
}

/** A ReplicaSet below its count when a batch started, and how many of its pods were ready then. */
export interface WorkloadShortfall {
  name: string;
  ready: number;
}

/** What a batch records of the workloads already short when it starts: its validation does not hold them against it. */
export function workloadBaseline(gaps: ClusterObservation['workloadGaps']): WorkloadShortfall[] {
  return gaps.map((g) => ({ name: g.name, ready: g.ready }));
}

/**
 * The workload gaps a batch is answerable for: a ReplicaSet short now that
 * was not short when the batch started, or that has fewer ready pods than
 * then. One crashlooping app elsewhere in the cluster does not stop an upgrade.
 */
export function newWorkloadGaps(gaps: ClusterObservation['workloadGaps'], before: readonly WorkloadShortfall[]): string[] {
  const readyBefore = new Map(before.map((w) => [w.name, w.ready]));
  const problems: string[] = [];
  for (const w of gaps) {
    const was = readyBefore.get(w.name);
    if (was === undefined) problems.push(`ReplicaSet ${w.name} has ${w.ready} of ${w.desired} pods ready`);
    else if (w.ready < was) problems.push(`ReplicaSet ${w.name} has ${w.ready} of ${w.desired} pods ready (${was} before the batch)`);
  }
  return problems;
}

export function findValidationProblems(
  obs: ClusterObservation,
  args: { upgraded: readonly string[]; target: string; notReadyBefore: readonly string[]; workloadsShortBefore?: readonly WorkloadShortfall[] },
): string[] {
  const problems: string[] = [];
  const byName = new Map(obs.nodes.map((n) => [n.name, n]));
  for (const name of args.upgraded) {
    const n = byName.get(name);
    if (!n) problems.push(`node ${name} is gone`);
    else if (!n.ready) problems.push(`upgraded node ${name} is not Ready`);
    else if (!sameVersion(n.kubeletVersion, args.target)) problems.push(`upgraded node ${name} runs kubelet ${n.kubeletVersion}, not ${args.target}`);
  }
  const wasNotReady = new Set(args.notReadyBefore);
  const upgraded = new Set(args.upgraded);
  for (const n of obs.nodes) {
    if (!n.ready && !wasNotReady.has(n.name) && !upgraded.has(n.name)) problems.push(`node ${n.name} was Ready before the batch and is not Ready now`);
  }
  problems.push(...newWorkloadGaps(obs.workloadGaps, args.workloadsShortBefore ?? []));
  return problems;
}

export type ValidationVerdict = { kind: 'passed' } | { kind: 'wait'; state: ValidationState } | { kind: 'failed'; message: string; remedy: string };

export function judgeValidation(
  state: ValidationState,
  problems: readonly string[],
  args: { now: string; soakSeconds: number; timeoutSeconds: number },
): ValidationVerdict {
  const elapsed = (from: string) => (Date.parse(args.now) - Date.parse(from)) / 1000;
  if (problems.length > 0) {
    if (elapsed(state.since) >= args.timeoutSeconds) {
      return {
        kind: 'failed',
        message: `the cluster did not validate within ${args.timeoutSeconds}s after batch ${state.batch}: ${problems.slice(0, 5).join('; ')}`,
        remedy: 'repair what is listed (nodes not Ready, pods not back), then resume the upgrade',
      };
    }
    // A failed look resets the count: two passes must be in a row.
    const { lastPassAt: _l, ...rest } = state;
    return { kind: 'wait', state: { ...rest, passes: 0, problems: [...problems] } };
  }
  if (state.passes === 0) return { kind: 'wait', state: { ...state, passes: 1, lastPassAt: args.now, problems: [] } };
  if (state.lastPassAt && elapsed(state.lastPassAt) < args.soakSeconds) return { kind: 'wait', state };
  return { kind: 'passed' };
}

/**
 * How long to wait before the next look while a batch validates. Healthy once,
 * the second look is due when the soak is over, not at the first poll past it:
 * the wait is what is left of SOAK_SECONDS, rounded up to whole seconds (a Wait
 * state's unit), and never more than a poll, so a pause or cancel requested
 * meanwhile is seen as soon as before. With no soak that is 0: the second look
 * is the next step, a read of the cluster of its own after the first one's
 * outcome is stored; "healthy twice, SOAK_SECONDS apart" is kept to the letter,
 * and what catches a node that flaps over seconds is a soak of that many
 * seconds, as before. Not healthy yet, it looks again a poll later.
 */
export function nextValidationLookSeconds(state: ValidationState, args: { now: string; soakSeconds: number; pollSeconds: number }): number {
  if (state.passes === 0 || !state.lastPassAt) return args.pollSeconds;
  const left = (Date.parse(state.lastPassAt) + args.soakSeconds * 1000 - Date.parse(args.now)) / 1000;
  return Math.min(args.pollSeconds, Math.max(0, Math.ceil(left)));
}
