/**
 * A Step Functions Standard execution holds at most 25,000 history events. A
 * long upgrade (thousands of nodes, batches that wait for hours) goes on in a
 * new execution of the same upgrade before its history runs out. Each
 * execution counts its own history in its state, so the deployed and the local
 * engine agree; MAX_EXECUTION_EVENTS (20,000 by default) leaves room for the
 * retries the count does not see (a retried Lambda adds three events).
 */
export const DEFAULT_MAX_EXECUTION_EVENTS = 20_000;

/**
 * The history one step adds: Route and RouteByPhase (2 each, entered and
 * exited), Poll (2), and the Task with its Lambda call (entered, scheduled,
 * started, succeeded, exited: 5).
 */
export const EVENTS_PER_STEP = 11;

/**
 * The name of the execution an upgrade continues in: the same execution's
 * name with its continuation counted up (`upg-1-run2` → `upg-1-run2-c1` →
 * `upg-1-run2-c2`). Derived from the name alone, so a retried hop asks for the
 * same one, and the upgrade's `executions` (which drives the ramp) never moves.
 */
export function continuationName(current: string): string {
  const m = /^(.*)-c(\d+)$/.exec(current);
  return m ? `${m[1]}-c${Number(m[2]) + 1}` : `${current}-c1`;
}

/**
 * What a Begin does with the execution it finds on the upgrade: `wait` while
 * another one may still be inside a step (two executions never run one
 * upgrade's steps at once), `enter` to record itself (a continuation counted),
 * `go` when it is already the one recorded (a retried Begin).
 */
export type ExecutionEntry = { kind: 'go' } | { kind: 'wait'; previous: string } | { kind: 'enter'; execution: string; continuations: number };

export function enterExecution(
  u: { execution?: string; continuations?: number },
  me: { name: string; continues: boolean },
  previousRunning: boolean,
): ExecutionEntry {
  if (u.execution === me.name) return { kind: 'go' };
  if (u.execution && previousRunning) return { kind: 'wait', previous: u.execution };
  return { kind: 'enter', execution: me.name, continuations: (u.continuations ?? 0) + (me.continues ? 1 : 0) };
}
