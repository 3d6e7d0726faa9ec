/** Starts executions of the upgrade state machine, on AWS or in-process. */
export interface WorkflowPort {
  /**
   * Starts execution `name` with `input`. Names are unique: starting the same
   * name with the same input again returns the first execution (a retried
   * request), with another input it fails.
   */
  startExecution(args: { name: string; input: Record<string, unknown> }): Promise<{ executionArn: string }>;
}

/** How an execution stands (Step Functions' own words). */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/**
 * The engine as the phase steps see it: a long upgrade's step starts its next
 * execution, and that execution's Begin asks whether the one it continues has
 * ended (so two executions never run one upgrade's steps at once).
 */
export interface PhaseWorkflow extends WorkflowPort {
  /** undefined when no execution has that name */
  executionStatus(name: string): Promise<ExecutionStatus | undefined>;
}

export class ExecutionAlreadyExistsError extends Error {
  constructor(name: string) {
    super(`an execution named ${name} already exists with another input`);
    this.name = 'ExecutionAlreadyExists';
  }
}
