import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SchedulerPort } from './schedulerPort.js';

/**
 * The universal target that calls Step Functions' StartExecution with the
 * parameters we give, in the state machine's partition. Unlike the templated
 * Step Functions target (which names each execution at random), it names the
 * execution, so a repeated delivery is refused by Step Functions instead of
 * starting a second execution of one upgrade.
 */
const startExecutionTarget = (stateMachineArn: string): string => `arn:${stateMachineArn.split(':')[1] || 'aws'}:scheduler:::aws-sdk:sfn:startExecution`;

/**
 * EventBridge Scheduler one-time schedules that start the state machine; they
 * delete themselves after firing. The schedule and the execution it starts
 * both take `name` (the upgrade id), as an execution the API starts does.
 */
export class EventBridgeScheduler implements SchedulerPort {
  constructor(
    private readonly options: { stateMachineArn: string; roleArn: string; groupName: string },
    private readonly client: SchedulerClient = new SchedulerClient({}),
  ) {}

  async scheduleStart(args: { name: string; at: string; input: Record<string, unknown> }): Promise<void> {
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: args.name,
          GroupName: this.options.groupName,
          // at() takes a wall-clock time without zone or fraction; the zone is given apart
          ScheduleExpression: `at(${new Date(args.at).toISOString().slice(0, 19)})`,
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: startExecutionTarget(this.options.stateMachineArn),
            RoleArn: this.options.roleArn,
            // StartExecution's own parameters; the execution input is itself a JSON string
            Input: JSON.stringify({ StateMachineArn: this.options.stateMachineArn, Name: args.name, Input: JSON.stringify(args.input) }),
          },
        }),
      );
    } catch (err) {
      if ((err as { name?: string }).name !== 'ConflictException') throw err;
    }
  }

  async cancelStart(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.options.groupName }));
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    }
  }
}
