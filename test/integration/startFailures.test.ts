import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StatusChange } from '../../src/notify/notifier.js';
import { getCluster } from '../../src/store/clusters.js';
import { listEvents } from '../../src/store/events.js';
import { cancelUpgrade, pauseUpgrade, startUpgrade, resumeUpgrade, type ControlDeps } from '../../src/upgrades/control.js';
import type { WorkflowPort } from '../../src/workflow/workflowPort.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';

/** Step Functions refusing to start anything (throttled, the machine deleted, a missing grant). */
const brokenWorkflow: WorkflowPort = {
  startExecution: async () => {
    throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  },
};

describe('a state machine that cannot be started', () => {
  let stack: TestStack;
  let broken: ControlDeps;
  beforeAll(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 4, upgradeMs: 200 } });
    broken = { ...stack.controls, workflow: brokenWorkflow };
  });
  afterAll(async () => stack?.stop());

  it('ends a new upgrade failed with the reason and frees the cluster, instead of leaving it running with nothing to run it', async () => {
    // Act
    await expect(startUpgrade(broken, { clusterId: stack.clusterId, upgradeId: 'upg-nostart', targetVersion: target })).rejects.toThrow('Rate exceeded');

    // Assess
    const u = await stack.upgrade('upg-nostart');
    expect(u).toMatchObject({ status: 'failed', phase: 'done', error: { reason: 'StartFailed' } });
    expect(u.error?.message).toContain('Rate exceeded');
    expect((await getCluster(stack.db, stack.clusterId))?.activeUpgradeId).toBeUndefined();
    expect((await stack.driver.listNodes()).every((n) => !n.unschedulable && n.kubeletVersion === '1.30.4')).toBe(true);
  });

  it('puts a resumed upgrade back to paused as it was, and takes back a cancel, so the user can try again', async () => {
    // Prepare: a paused upgrade with nothing running
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-resume', targetVersion: target });
    await stack.waitForUpgrade(u.id, (x) => x.phase === 'nodes');
    await pauseUpgrade(stack.controls, stack.clusterId, u.id);
    const paused = await stack.waitForUpgrade(u.id, (x) => x.status === 'paused');
    await stack.workflow.waitFor(u.id);

    // Act + Assess: resume fails to start → paused again as it was (same expiry clock, same error), the failure an event;
    // the execution count moves on, so the next try does not reuse the name of a start that may have gone through
    await expect(resumeUpgrade(broken, stack.clusterId, u.id)).rejects.toThrow('Rate exceeded');
    const again = await stack.upgrade(u.id);
    expect(again).toMatchObject({ status: 'paused', pausedAt: paused.pausedAt, expiresAt: paused.expiresAt, cancelRequested: paused.cancelRequested });
    expect(again.error).toEqual(paused.error);
    expect(again.executions).toBe(paused.executions + 1);
    const events = await listEvents(stack.db, u.id);
    expect(events.map((e) => e.type)).not.toContain('UpgradeResumed');
    expect(events.find((e) => e.type === 'StartFailed')?.message).toContain('Rate exceeded');

    // Act + Assess: cancel fails to start → the cancel request is taken back
    await expect(cancelUpgrade(broken, stack.clusterId, u.id)).rejects.toThrow('Rate exceeded');
    expect(await stack.upgrade(u.id)).toMatchObject({ status: 'paused', cancelRequested: false });

    // Act: with Step Functions back, the same requests work
    await resumeUpgrade(stack.controls, stack.clusterId, u.id);
    const done = await stack.waitForUpgrade(u.id, (x) => x.status !== 'running', 60_000);
    expect(done.status).toBe('succeeded');
  });
});

describe('a notification that cannot be published', () => {
  let stack: TestStack;
  const attempted: StatusChange[] = [];
  beforeAll(async () => {
    const failingBus = {
      publish: async (changes: readonly StatusChange[]): Promise<string[]> => {
        attempted.push(...changes);
        throw new Error('EventBridge is down');
      },
    };
    stack = await startTestStack({ sim: { masters: 1, workers: 4, upgradeMs: 50 }, notifier: failingBus });
  });
  afterAll(async () => stack?.stop());

  it('does not stop the upgrade: the status change stands and the execution is started', async () => {
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-nobus', targetVersion: target });
    const done = await stack.waitForUpgrade(u.id, (x) => x.status !== 'running', 60_000);
    expect(done.status).toBe('succeeded');
    // tried again after every write; each change under its one id, and both still waiting in the outbox
    expect([...new Map(attempted.map((c) => [c.id, c.to]))]).toEqual([
      [`${u.id}:1`, 'running'],
      [`${u.id}:2`, 'succeeded'],
    ]);
    expect(Object.keys(done.outbox ?? {})).toEqual([`${u.id}:1`, `${u.id}:2`]);
  });
});

describe('a cancel', () => {
  let stack: TestStack;
  let cleanupFails = false;
  beforeAll(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 4, upgradeMs: 200 } });
    const realDriverFor = stack.ctx.driverFor;
    stack.ctx.driverFor = async (cluster) => {
      const real = await realDriverFor(cluster);
      return {
        ...real,
        deleteUpgradeJobs: async (upgradeId?: string) => {
          if (cleanupFails) throw Object.assign(new Error('the API server went away'), { name: 'Error' });
          return real.deleteUpgradeJobs(upgradeId);
        },
      };
    };
  });
  afterAll(async () => stack?.stop());

  it('asked twice runs once; cut short by an error it stops paused with the error, and asked again it finishes', async () => {
    // Prepare: a paused upgrade
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-cancel-twice', targetVersion: target });
    await stack.waitForUpgrade(u.id, (x) => x.phase === 'nodes');
    await pauseUpgrade(stack.controls, stack.clusterId, u.id);
    await stack.waitForUpgrade(u.id, (x) => x.status === 'paused');
    await stack.workflow.waitFor(u.id);

    // Act: a double click, while cleanup cannot reach the cluster
    cleanupFails = true;
    const first = await cancelUpgrade(stack.controls, stack.clusterId, u.id);
    const second = await cancelUpgrade(stack.controls, stack.clusterId, u.id);

    // Assess: one execution carries the cancel; the error pauses the upgrade and ends that cancel
    expect(second.executions).toBe(first.executions);
    const stopped = await stack.waitForUpgrade(u.id, (x) => x.status === 'paused' && !x.cancelRequested && x.error?.message.includes('went away') === true);
    expect((await stack.workflow.waitFor(`${u.id}-run${first.executions}`)).status).toBe('SUCCEEDED');
    expect(stack.workflow.running()).toEqual([]);
    expect((await listEvents(stack.db, u.id)).map((e) => e.message).join('\n')).toContain('cancel again once the cause is fixed');

    // Act: the cluster is back, the user cancels again
    cleanupFails = false;
    const again = await cancelUpgrade(stack.controls, stack.clusterId, u.id);

    // Assess
    expect(again.executions).toBe(stopped.executions + 1);
    expect((await stack.waitForUpgrade(u.id, (x) => x.status !== 'paused', 60_000)).status).toBe('cancelled');
    // the cluster is freed by the write after the status (two items, no transaction)
    await stack.waitForClusterFree();
  });
});
