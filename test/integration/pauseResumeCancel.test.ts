import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { listBatches } from '../../src/store/batches.js';
import { cancelUpgrade, pauseUpgrade, startUpgrade, resumeUpgrade } from '../../src/upgrades/control.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';

describe('pause and resume', () => {
  let stack: TestStack;
  // Slow enough jobs that a batch is still in flight when the pause lands.
  beforeAll(async () => {
    stack = await startTestStack({ sim: { upgradeMs: 300 } });
  });
  afterAll(async () => stack?.stop());

  it('a pause during worker batch 3 lets that batch finish, starts no further node, and resume restarts the ramp at 1', async () => {
    // Prepare
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-pause', targetVersion: target });
    await stack.waitForUpgrade(u.id, (x) => x.workerBatches === 3 && x.currentBatch !== null);

    // Act
    const pausing = await pauseUpgrade(stack.controls, stack.clusterId, u.id);

    // Assess: pausing, then paused once batch 3 is done
    expect(pausing.status).toBe('pausing');
    const inFlight = pausing.workerBatches;
    expect(inFlight).toBe(3);
    const paused = await stack.waitForUpgrade(u.id, (x) => x.status === 'paused');
    expect((await stack.workflow.waitFor(u.id)).status).toBe('SUCCEEDED');
    expect(paused.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(paused.workerBatches).toBe(inFlight);
    const batches = (await listBatches(stack.db, u.id)).filter((b) => b.kind === 'worker');
    expect(batches.map((b) => [b.nodes.length, b.status])).toEqual([
      [1, 'done'],
      [2, 'done'],
      [2, 'done'],
    ]);
    const started = new Set(batches.flatMap((b) => b.nodes.map((n) => n.name)));
    for (const n of await stack.driver.listNodes()) {
      expect(n.unschedulable).toBe(false);
      if (n.role === 'worker') expect(n.kubeletVersion).toBe(started.has(n.name) ? target : '1.30.4');
    }
    expect(
      stack.sim
        .objects('jobs', 'kube-upgrade')
        .every((j) => batches.some((b) => b.nodes.some((n) => n.jobName === j.metadata.name)) || j.metadata.labels?.['kupgrade.io/node']?.startsWith('master')),
    ).toBe(true);

    // Act: resume
    const resumed = await resumeUpgrade(stack.controls, stack.clusterId, u.id);
    expect(resumed).toMatchObject({ status: 'running', rampIndex: 0 });
    expect(resumed.expiresAt).toBeUndefined();
    const done = await stack.waitForUpgrade(u.id, (x) => x.status !== 'running', 60_000);

    // Assess: ramp back at 1 after the resume, everything upgraded
    expect(done.status).toBe('succeeded');
    const after = (await listBatches(stack.db, u.id))
      .filter((b) => b.kind === 'worker')
      .slice(3)
      .map((b) => b.nodes.length);
    expect(after.slice(0, 3)).toEqual([1, 2, 2]);
    expect(after.reduce((a, b) => a + b, 0)).toBe(20 - 5);
    for (const n of await stack.driver.listNodes()) expect(n).toMatchObject({ kubeletVersion: target, unschedulable: false });
  });
});

describe('cancel', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ sim: { upgradeMs: 300 } });
  });
  afterAll(async () => stack?.stop());

  it('after a pause keeps upgraded nodes upgraded, leaves the rest untouched, ends cancelled and frees the cluster', async () => {
    // Prepare: pause during the second worker batch
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-cancel', targetVersion: target });
    await stack.waitForUpgrade(u.id, (x) => x.workerBatches === 2 && x.currentBatch !== null);
    await pauseUpgrade(stack.controls, stack.clusterId, u.id);
    await stack.waitForUpgrade(u.id, (x) => x.status === 'paused');

    // Act
    const cancelling = await cancelUpgrade(stack.controls, stack.clusterId, u.id);
    expect(cancelling.cancelRequested).toBe(true);
    const ended = await stack.waitForUpgrade(u.id, (x) => x.status === 'cancelled');

    // Assess
    expect(ended.phase).toBe('done');
    const upgraded = new Set((await listBatches(stack.db, u.id)).flatMap((b) => b.nodes.filter((n) => n.step === 'done').map((n) => n.name)));
    expect(upgraded.size).toBe(3 + 3);
    for (const n of await stack.driver.listNodes()) {
      expect(n.unschedulable).toBe(false);
      expect(n.kubeletVersion).toBe(upgraded.has(n.name) ? target : '1.30.4');
    }
    expect(stack.sim.objects('jobs', 'kube-upgrade')).toEqual([]);
    // the lock is released by the write after the one that ends the upgrade: a start in between already treats it as stale
    await stack.waitForClusterFree();

    // A new upgrade can start on the freed cluster.
    const again = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-after-cancel', targetVersion: target });
    expect(again.status).toBe('running');
    expect((await stack.waitForUpgrade(again.id, (x) => x.status !== 'running', 60_000)).status).toBe('succeeded');
  });

  it('refuses to cancel a running upgrade or resume one that is not paused, changing nothing', async () => {
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-refuse', targetVersion: '1.32.6' }).catch((e) => e);
    // the cluster is at 1.31.10 now: the next minor (the catalog's next version) is allowed
    expect(u.status).toBe('running');
    const before = await stack.upgrade(u.id);
    await expect(cancelUpgrade(stack.controls, stack.clusterId, u.id)).rejects.toMatchObject({ reason: 'Conflict' });
    await expect(resumeUpgrade(stack.controls, stack.clusterId, u.id)).rejects.toMatchObject({ reason: 'Conflict' });
    const after = await stack.upgrade(u.id);
    expect(after.cancelRequested).toBe(false);
    expect(after.executions).toBe(before.executions);
    await stack.waitForUpgrade(u.id, (x) => x.status === 'succeeded', 60_000);
  });
});
