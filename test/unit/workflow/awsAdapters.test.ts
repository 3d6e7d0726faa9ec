// The deployed adapters behind SchedulerPort and WorkflowPort, with the SDK mocked (no network).
import { beforeEach, describe, expect, it } from '@jest/globals';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeScheduler } from '../../../src/workflow/eventBridgeScheduler.js';
import { StepFunctionsWorkflow } from '../../../src/workflow/stepFunctionsWorkflow.js';
import { ExecutionAlreadyExistsError } from '../../../src/workflow/workflowPort.js';

const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:kupgrade-dev-upgrade';
const ROLE = 'arn:aws:iam::123456789012:role/kupgrade-dev-scheduler';
const awsError = (name: string) => Object.assign(new Error(name), { name });

describe('EventBridgeScheduler', () => {
  const scheduler = mockClient(SchedulerClient);
  const adapter = () =>
    new EventBridgeScheduler({ stateMachineArn: STATE_MACHINE, roleArn: ROLE, groupName: 'kupgrade-dev' }, new SchedulerClient({ region: 'eu-west-1' }));
  beforeEach(() => {
    scheduler.reset();
  });

  describe('scheduleStart', () => {
    it('creates a one-time schedule that starts an execution named after the upgrade, and deletes itself', async () => {
      // Prepare
      scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/kupgrade-dev/upg-1' });

      // Act
      await adapter().scheduleStart({ name: 'upg-1', at: '2030-05-04T03:02:01.500+02:00', input: { clusterId: 'prod', upgradeId: 'upg-1' } });

      // Assess
      const calls = scheduler.commandCalls(CreateScheduleCommand);
      expect(calls).toHaveLength(1);
      const input = calls[0]!.args[0].input;
      expect(input).toMatchObject({
        Name: 'upg-1',
        GroupName: 'kupgrade-dev',
        ScheduleExpression: 'at(2030-05-04T01:02:01)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
      });
      // the universal target calls StartExecution with these parameters, so the execution has the upgrade's name
      expect(input.Target).toMatchObject({ Arn: 'arn:aws:scheduler:::aws-sdk:sfn:startExecution', RoleArn: ROLE });
      const params = JSON.parse(input.Target!.Input!);
      expect(params).toEqual({ StateMachineArn: STATE_MACHINE, Name: 'upg-1', Input: expect.any(String) });
      expect(JSON.parse(params.Input)).toEqual({ clusterId: 'prod', upgradeId: 'upg-1' });
    });

    it("calls the target in the state machine's partition", async () => {
      scheduler.on(CreateScheduleCommand).resolves({});
      const cn = new EventBridgeScheduler(
        { stateMachineArn: STATE_MACHINE.replace('arn:aws:', 'arn:aws-cn:'), roleArn: ROLE, groupName: 'g' },
        new SchedulerClient({ region: 'cn-north-1' }),
      );
      await cn.scheduleStart({ name: 'upg-2', at: '2030-01-01T00:00:00Z', input: {} });
      expect(scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target!.Arn).toBe('arn:aws-cn:scheduler:::aws-sdk:sfn:startExecution');
    });

    it('takes an existing schedule of the same name as done (a retried request)', async () => {
      scheduler.on(CreateScheduleCommand).rejects(awsError('ConflictException'));
      await expect(adapter().scheduleStart({ name: 'upg-1', at: '2030-01-01T00:00:00Z', input: {} })).resolves.toBeUndefined();
    });

    it('passes any other failure on', async () => {
      scheduler.on(CreateScheduleCommand).rejects(awsError('ValidationException'));
      await expect(adapter().scheduleStart({ name: 'upg-1', at: '2030-01-01T00:00:00Z', input: {} })).rejects.toMatchObject({ name: 'ValidationException' });
    });
  });

  describe('cancelStart', () => {
    it('deletes the schedule from the group', async () => {
      scheduler.on(DeleteScheduleCommand).resolves({});
      await adapter().cancelStart('upg-1');
      expect(scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([{ Name: 'upg-1', GroupName: 'kupgrade-dev' }]);
    });

    it('tolerates a schedule that is already gone (fired and deleted itself, or cancelled before)', async () => {
      scheduler.on(DeleteScheduleCommand).rejects(awsError('ResourceNotFoundException'));
      await expect(adapter().cancelStart('upg-1')).resolves.toBeUndefined();
    });

    it('passes any other failure on', async () => {
      scheduler.on(DeleteScheduleCommand).rejects(awsError('AccessDeniedException'));
      await expect(adapter().cancelStart('upg-1')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    });
  });
});

describe('StepFunctionsWorkflow', () => {
  const sfn = mockClient(SFNClient);
  const adapter = () => new StepFunctionsWorkflow(STATE_MACHINE, new SFNClient({ region: 'eu-west-1' }));
  const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:kupgrade-dev-upgrade:upg-1';
  const input = { clusterId: 'prod', upgradeId: 'upg-1' };
  beforeEach(() => {
    sfn.reset();
  });

  describe('startExecution', () => {
    it('starts an execution with the given name and the input as JSON', async () => {
      sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });
      await expect(adapter().startExecution({ name: 'upg-1', input })).resolves.toEqual({ executionArn: EXECUTION });
      expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
        { stateMachineArn: STATE_MACHINE, name: 'upg-1', input: JSON.stringify(input) },
      ]);
    });

    it('returns the first execution when the name exists with the same input (a retried request)', async () => {
      sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));
      sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION, input: JSON.stringify(input) });
      await expect(adapter().startExecution({ name: 'upg-1', input })).resolves.toEqual({ executionArn: EXECUTION });
      expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input)).toEqual([{ executionArn: EXECUTION }]);
    });

    it('fails with ExecutionAlreadyExistsError when the name exists with another input', async () => {
      sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));
      sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION, input: JSON.stringify({ clusterId: 'other', upgradeId: 'upg-1' }) });
      const start = adapter().startExecution({ name: 'upg-1', input });
      await expect(start).rejects.toBeInstanceOf(ExecutionAlreadyExistsError);
      await expect(start).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    });

    it('passes any other failure on', async () => {
      sfn.on(StartExecutionCommand).rejects(awsError('StateMachineDoesNotExist'));
      await expect(adapter().startExecution({ name: 'upg-1', input })).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
      expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
    });
  });

  describe('executionStatus', () => {
    it("reads an execution's status by its name (the machine's ARN with execution for stateMachine)", async () => {
      sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION, status: 'RUNNING' });
      await expect(adapter().executionStatus('upg-1')).resolves.toBe('RUNNING');
      expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input)).toEqual([{ executionArn: EXECUTION }]);
    });

    it('answers undefined for a name no execution has', async () => {
      sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
      await expect(adapter().executionStatus('upg-1')).resolves.toBeUndefined();
    });

    it('passes any other failure on', async () => {
      sfn.on(DescribeExecutionCommand).rejects(awsError('AccessDeniedException'));
      await expect(adapter().executionStatus('upg-1')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    });
  });
});
