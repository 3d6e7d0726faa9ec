import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SchedulerPort } from './schedulerPort.js';

/** EventBridge Scheduler one-time schedules that start the state machine; they delete themselves after firing. */
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
          Target: { Arn: this.options.stateMachineArn, RoleArn: this.options.roleArn, Input: JSON.stringify(args.input) },
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
