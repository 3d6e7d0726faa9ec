import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ExecutionAlreadyExistsError, type ExecutionStatus, type PhaseWorkflow } from './workflowPort.js';

/** The deployed state machine; the only module that uses the Step Functions SDK. */
export class StepFunctionsWorkflow implements PhaseWorkflow {
  constructor(
    private readonly stateMachineArn: string,
    private readonly client: SFNClient = new SFNClient({}),
  ) {}

  async startExecution(args: { name: string; input: Record<string, unknown> }): Promise<{ executionArn: string }> {
    const input = JSON.stringify(args.input);
    try {
      const out = await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: args.name, input }));
      return { executionArn: out.executionArn! };
    } catch (err) {
      if ((err as { name?: string }).name !== 'ExecutionAlreadyExists') throw err;
      // Step Functions answers a repeat with identical input as a success only while the first runs; treat any identical repeat as one.
      const executionArn = this.executionArn(args.name);
      const existing = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      if (existing.input !== input) throw new ExecutionAlreadyExistsError(args.name);
      return { executionArn };
    }
  }

  async executionStatus(name: string): Promise<ExecutionStatus | undefined> {
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn: this.executionArn(name) }));
      return out.status as ExecutionStatus;
    } catch (err) {
      if ((err as { name?: string }).name === 'ExecutionDoesNotExist') return undefined;
      throw err;
    }
  }

  /** An execution's ARN from its name: the machine's ARN with `execution` for `stateMachine` (no call needed). */
  private executionArn(name: string): string {
    return this.stateMachineArn.replace(':stateMachine:', ':execution:') + `:${name}`;
  }
}
