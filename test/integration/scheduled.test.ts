import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runBegin } from '../../src/phases/begin.js';
import { getCluster } from '../../src/store/clusters.js';
import { listEvents } from '../../src/store/events.js';
import { insertUpgrade, updateUpgrade } from '../../src/store/upgrades.js';
import { newUpgrade } from '../../src/upgrades/newUpgrade.js';
import { cancelUpgrade, startUpgrade } from '../../src/upgrades/control.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const TARGET = '1.31.10';
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

describe('scheduled upgrades', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 4, upgradeMs: 50 } });
  });
  afterAll(async () => stack?.stop());

  it('refuses a start time in the past, changing nothing', async () => {
    await expect(
      startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-past', targetVersion: TARGET, startAt: inSeconds(-60) }),
    ).rejects.toMatchObject({ reason: 'InvalidRequest' });
    expect((await getCluster(stack.db, stack.clusterId))?.activeUpgradeId).toBeUndefined();
  });

  it('can be cancelled before it starts: the schedule goes, nothing runs, the cluster is free', async () => {
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-later', targetVersion: TARGET, startAt: inSeconds(3600) });
    expect(u).toMatchObject({ status: 'scheduled', phase: 'precheck' });
    expect(stack.controls.scheduler.pending()).toEqual(['upg-later']);
    expect((await getCluster(stack.db, stack.clusterId))?.activeUpgradeId).toBe('upg-later');

    const cancelled = await cancelUpgrade(stack.controls, stack.clusterId, u.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', phase: 'done' });
    expect(stack.controls.scheduler.pending()).toEqual([]);
    expect((await getCluster(stack.db, stack.clusterId))?.activeUpgradeId).toBeUndefined();
    for (const n of await stack.driver.listNodes()) expect(n.kubeletVersion).toBe('1.30.4');
  });

  it('shows scheduled until its time, then fires and runs to the end', async () => {
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-soon', targetVersion: TARGET, startAt: inSeconds(1.5) });
    expect(u.status).toBe('scheduled');
    expect((await stack.upgrade(u.id)).status).toBe('scheduled');
    const done = await stack.waitForUpgrade(u.id, (x) => x.status === 'succeeded', 60_000);
    expect(Date.parse(done.updatedAt)).toBeGreaterThanOrEqual(Date.parse(u.scheduledAt!));
    for (const n of await stack.driver.listNodes()) expect(n.kubeletVersion).toBe(TARGET);
    // scheduled → running is a status change, and writes its event like every other
    const events = await listEvents(stack.db, u.id);
    const started = events.filter((e) => e.type === 'UpgradeStarted');
    expect(started).toHaveLength(1);
    expect(events.map((e) => e.type).indexOf('UpgradeStarted')).toBe(1); // after UpgradeCreated, which is earlier by the schedule's delay
    expect(Date.parse(started[0]!.at)).toBeGreaterThanOrEqual(Date.parse(u.scheduledAt!));
    expect(started[0]!.at <= events.find((e) => e.type === 'PrecheckPassed')!.at).toBe(true);
  });

  it('writes the start event on the next Begin when one crashed between the status write and the event', async () => {
    // Prepare: a scheduled upgrade whose Begin moved it to running, then crashed (its own cluster: no execution runs it)
    const u = newUpgrade({
      id: 'upg-crashed-begin',
      clusterId: 'crash-site',
      fromVersion: '1.30.4',
      toVersion: TARGET,
      now: inSeconds(-10),
      startAt: inSeconds(-5),
    });
    await insertUpgrade(stack.db, u);
    await updateUpgrade(stack.db, u.clusterId, u.id, (cur) => ({ ...cur, status: 'running' }));
    const begin = { input: { clusterId: u.clusterId, upgradeId: u.id }, executionName: u.id };

    // Act: the retried Begin, then another
    await runBegin(stack.ctx, begin);
    await runBegin(stack.ctx, begin);

    // Assess
    expect((await listEvents(stack.db, u.id)).map((e) => e.type)).toEqual(['UpgradeStarted']);
  });
});
