export interface DrainBlockerView {
  pod: string;
  pdb?: string;
  message: string;
}

export type DrainVerdict = { kind: 'done' } | { kind: 'wait' } | { kind: 'timeout'; message: string; remedy: string };

/**
 * A drain may wait on PodDisruptionBudgets until its timeout; then the node is
 * given back (uncordoned) and the upgrade pauses naming what blocked it.
 */
export function judgeDrain(args: {
  done: boolean;
  remaining: readonly string[];
  blockers: readonly DrainBlockerView[];
  startedAt: string;
  now: string;
  timeoutSeconds: number;
  node: string;
}): DrainVerdict {
  if (args.done) return { kind: 'done' };
  const elapsed = (Date.parse(args.now) - Date.parse(args.startedAt)) / 1000;
  if (elapsed < args.timeoutSeconds) return { kind: 'wait' };
  const b = args.blockers[0];
  const what = b
    ? `PodDisruptionBudget ${b.pdb ?? '(unnamed)'} blocks eviction of pod ${b.pod}`
    : `pods still on the node: ${args.remaining.slice(0, 5).join(', ')}`;
  return {
    kind: 'timeout',
    message: `drain of node ${args.node} timed out after ${args.timeoutSeconds}s: ${what}`,
    remedy: b
      ? `let PodDisruptionBudget ${b.pdb ?? 'covering ' + b.pod} allow a disruption (scale up its workload or relax it), then resume the upgrade`
      : 'find out why these pods do not terminate, then resume the upgrade',
  };
}
