/** Starts executions of the upgrade state machine, on AWS or in-process. */
export interface WorkflowPort {
  /**
   * Starts execution `name` with `input`. Names are unique: starting the same
   * name with the same input again returns the first execution (a retried
   * request), with another input it fails.
   */
  startExecution(args: { name: string; input: Record<string, unknown> }): Promise<{ executionArn: string }>;
}

export class ExecutionAlreadyExistsError extends Error {
  constructor(name: string) {
    super(`an execution named ${name} already exists with another input`);
    this.name = 'ExecutionAlreadyExists';
  }
}
