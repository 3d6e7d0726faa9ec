import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sweep, type SweepContext } from '../../src/expiry/sweep.js';
import { listEvents } from '../../src/store/events.js';
import { startUpgrade } from '../../src/upgrades/control.js';
import { ExecutionAlreadyExistsError, type PhaseWorkflow, type WorkflowPort } from '../../src/workflow/workflowPort.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';
const minutesLater = (m: number) => () => new Date(Date.now() + m * 60_000).toISOString();

/** The API function dying inside StartExecution: the call never answers (no error answer reaches startUpgrade). */
const dyingWorkflow: WorkflowPort = { startExecution: () => new Promise(() => undefined) };

describe('the repair sweep', () => {
  let stack: TestStack;
  let sweepCtx: (now: () => string, workflow?: PhaseWorkflow) => SweepContext;
  beforeAll(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 3, upgradeMs: 30 } });
    sweepCtx = (now, workflow = stack.workflow) => ({ ...stack.ctx, now, workflow });
  });
  afterAll(async () => stack?.stop());

  it('starts a repair execution when the one that ran the upgrade ended without ending it, and leaves a live one alone', async () => {
    // Prepare: an upgrade whose execution was stopped from outside (aborted) while it ran
    await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-lost', targetVersion: '1.30.14' });
    await stack.waitForUpgrade('upg-lost', (u) => u.execution === 'upg-lost');
    expect(await sweep(sweepCtx(minutesLater(10)))).toMatchObject({ started: [] });
    await stopExecution(stack, 'upg-lost');
    expect((await stack.upgrade('upg-lost')).status).toBe('running');

    // Act
    const out = await sweep(sweepCtx(minutesLater(10)));

    // Assess
    expect(out.started).toEqual([{ upgradeId: 'upg-lost', execution: 'upg-lost-r1' }]);
    const done = await stack.waitForUpgrade('upg-lost', (u) => u.status !== 'running', 60_000);
    expect(done).toMatchObject({ status: 'succeeded', execution: 'upg-lost-r1' });
  });

  it('starts, once, the execution of an upgrade whose start crashed after its write, even when two sweeps race', async () => {
    // Prepare: the write went through, StartExecution never did
    void startUpgrade({ ...stack.controls, workflow: dyingWorkflow }, { clusterId: stack.clusterId, upgradeId: 'upg-crash', targetVersion: target });
    const written = await stack.waitForUpgrade('upg-crash', (u) => u.status === 'running');
    expect(written.execution).toBeUndefined();

    // Act: a sweep right after the write leaves it alone (its start may be in flight)
    expect(await sweep(sweepCtx(() => new Date().toISOString()))).toMatchObject({ started: [], paused: [] });
    expect(await stack.workflow.executionStatus('upg-crash')).toBeUndefined();

    // Act: two sweeps past the grace, at once
    const [a, b] = await Promise.all([sweep(sweepCtx(minutesLater(10))), sweep(sweepCtx(minutesLater(10)))]);

    // Assess: both name the same start; one execution runs the upgrade, to its end
    expect([...a.started, ...b.started].map((s) => s.execution)).toEqual(expect.arrayContaining(['upg-crash']));
    expect(stack.workflow.running().filter((n) => n.startsWith('upg-crash'))).toEqual(['upg-crash']);
    const done = await stack.waitForUpgrade('upg-crash', (u) => u.status !== 'running', 60_000);
    expect(done).toMatchObject({ status: 'succeeded', execution: 'upg-crash' });
    expect((await listEvents(stack.db, 'upg-crash')).some((e) => e.type === 'ExecutionRepaired')).toBe(true);
    // and a later sweep finds nothing to do
    expect(await sweep(sweepCtx(minutesLater(20)))).toMatchObject({ started: [], paused: [] });
  });
});

describe('a repair the sweep cannot make', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 3, upgradeMs: 30 } });
  });
  afterAll(async () => stack?.stop());

  it('pauses the upgrade with the reason when its execution cannot be started', async () => {
    // Prepare: a crashed start, and an engine where the name is taken with another input
    void startUpgrade({ ...stack.controls, workflow: dyingWorkflow }, { clusterId: stack.clusterId, upgradeId: 'upg-taken', targetVersion: target });
    await stack.waitForUpgrade('upg-taken', (u) => u.status === 'running');
    const taken: PhaseWorkflow = {
      executionStatus: async () => undefined,
      startExecution: async ({ name }) => {
        throw new ExecutionAlreadyExistsError(name);
      },
    };

    // Act
    const out = await sweep({ ...stack.ctx, now: minutesLater(10), workflow: taken });

    // Assess: paused, the reason and a remedy stored, the cluster untouched
    expect(out.paused).toEqual([{ upgradeId: 'upg-taken', reason: 'ExecutionLost' }]);
    const u = await stack.upgrade('upg-taken');
    expect(u).toMatchObject({ status: 'paused', error: { reason: 'ExecutionLost', phase: 'precheck' } });
    expect(u.error?.message).toContain('another input');
    expect(u.error?.remedy).toContain('resume');
    expect(u.expiresAt).toBeDefined();
  });
});

/** An execution stopped from outside (the console's Stop, a timeout): the local engine aborts it. */
async function stopExecution(stack: TestStack, name: string): Promise<void> {
  const w = stack.workflow as unknown as { executions: Map<string, { abort(): void }> };
  w.executions.get(name)!.abort();
  await stack.workflow.waitFor(name);
}
