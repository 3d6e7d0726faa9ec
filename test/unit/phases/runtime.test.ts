import { afterEach, describe, expect, it } from '@jest/globals';
import type { Notifier } from '../../../src/notify/notifier.js';
import { phaseContext, setPhaseContext } from '../../../src/phases/runtime.js';
import type { PhaseWorkflow } from '../../../src/workflow/workflowPort.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:m';

describe('phaseContext', () => {
  const saved = process.env.STATE_MACHINE_ARN;
  afterEach(() => {
    setPhaseContext(undefined);
    if (saved === undefined) delete process.env.STATE_MACHINE_ARN;
    else process.env.STATE_MACHINE_ARN = saved;
  });

  it('built without adapters (Begin without drivers, OnError without a workflow): no driver, no notifier, no workflow', async () => {
    process.env.STATE_MACHINE_ARN = ARN;
    const ctx = phaseContext({});
    await expect(ctx.driverFor({ id: 'c1' } as never)).rejects.toThrow(/reaches no cluster/);
    expect(ctx.notifier).toBeUndefined();
    expect(ctx.workflow).toBeUndefined();
  });

  it('builds the adapters it is given, the workflow only where the function has a state machine', () => {
    class FakeNotifier implements Notifier {
      constructor(readonly bus: string) {}
      publish = async () => [];
    }
    class FakeWorkflow {
      constructor(readonly arn: string) {}
    }
    const workflow = FakeWorkflow as unknown as new (arn: string) => PhaseWorkflow;
    delete process.env.STATE_MACHINE_ARN;
    expect(phaseContext({ notifier: FakeNotifier, workflow }).workflow).toBeUndefined();
    setPhaseContext(undefined);
    process.env.STATE_MACHINE_ARN = ARN;
    const ctx = phaseContext({ notifier: FakeNotifier, workflow });
    expect(ctx.notifier).toBeInstanceOf(FakeNotifier);
    expect((ctx.workflow as unknown as FakeWorkflow).arn).toBe(ARN);
  });
});
