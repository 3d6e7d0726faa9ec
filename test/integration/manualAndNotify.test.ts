import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { upgradeIdFromExecution } from '../../src/phases/begin.js';
import { listUpgrades } from '../../src/store/upgrades.js';
import { EventBridgeNotifier } from '../../src/notify/eventBridgeNotifier.js';
import { pauseUpgrade, startUpgrade, resumeUpgrade } from '../../src/upgrades/control.js';
import { getCluster } from '../../src/store/clusters.js';
import { sweep } from '../../src/expiry/sweep.js';
import { eventually } from '../helpers/eventually.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const TARGET = '1.31.10';

describe('an execution started by hand with {clusterId, targetVersion}', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 4, upgradeMs: 200 } });
  });
  afterAll(async () => stack?.stop());

  it('creates the upgrade like the API does, and a second one while it runs is refused without changing anything', async () => {
    // Act
    await stack.workflow.startExecution({ name: 'console-run-1', input: { clusterId: stack.clusterId, targetVersion: TARGET } });
    const id = upgradeIdFromExecution('console-run-1');
    await stack.waitForUpgrade(id, (x) => x.phase !== 'precheck');
    await stack.workflow.startExecution({ name: 'console-run-2', input: { clusterId: stack.clusterId, targetVersion: TARGET } });
    const second = await stack.workflow.waitFor('console-run-2');

    // Assess
    expect(second.status).toBe('FAILED');
    expect(second.error?.message ?? String(second.error)).toMatch(/Conflict|active upgrade/);
    expect((await listUpgrades(stack.db, stack.clusterId)).map((u) => u.id)).toEqual([id]);
    expect((await stack.workflow.waitFor('console-run-1')).status).toBe('SUCCEEDED');
    expect(await stack.upgrade(id)).toMatchObject({ status: 'succeeded', toVersion: TARGET });
  });

  it('refuses bad input with the reason', async () => {
    await stack.workflow.startExecution({ name: 'console-bad', input: { clusterId: stack.clusterId, targetVersion: 'latest' } });
    const run = await stack.workflow.waitFor('console-bad');
    expect(run.status).toBe('FAILED');
    expect(await listUpgrades(stack.db, stack.clusterId)).toHaveLength(1);
  });

  it('refuses a version the API would not offer (a valid patch of the next minor missing from the catalog), as the API does', async () => {
    // a patch the version policy allows from where the cluster stands (1.30.4, or 1.31.10 after the test above), but not in the catalog
    const { version } = (await getCluster(stack.db, stack.clusterId))!;
    const offCatalog = version.startsWith('1.30.') ? '1.31.2' : '1.32.1';
    await stack.workflow.startExecution({ name: 'console-off-catalog', input: { clusterId: stack.clusterId, targetVersion: offCatalog } });
    const run = await stack.workflow.waitFor('console-off-catalog');
    expect(run.status).toBe('FAILED');
    expect(String(run.error?.message ?? run.error)).toMatch(/InvalidRequest|not a version kupgrade offers/);
    expect(await listUpgrades(stack.db, stack.clusterId)).toHaveLength(1);
  });
});

describe('notifications', () => {
  const eventBridge = mockClient(EventBridgeClient);
  let stack: TestStack;
  beforeEach(async () => {
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    stack = await startTestStack({ sim: { masters: 1, workers: 6, upgradeMs: 250 }, notifier: new EventBridgeNotifier('kupgrade-bus') });
  });
  afterEach(async () => stack?.stop());

  it('publish one EventBridge event per status change, with cluster, upgrade, from, to', async () => {
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-notify', targetVersion: TARGET });
    await stack.waitForUpgrade(u.id, (x) => x.workerBatches >= 1 && x.currentBatch !== null);
    await pauseUpgrade(stack.controls, stack.clusterId, u.id);
    await stack.waitForUpgrade(u.id, (x) => x.status === 'paused');
    await stack.workflow.waitFor(u.id);
    await resumeUpgrade(stack.controls, stack.clusterId, u.id);
    await stack.waitForUpgrade(u.id, (x) => x.status === 'succeeded', 60_000);

    const entries = eventBridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    for (const e of entries) expect(e).toMatchObject({ Source: 'kupgrade', DetailType: 'Upgrade Status Changed', EventBusName: 'kupgrade-bus' });
    const details = entries.map((e) => JSON.parse(e.Detail!));
    expect(details.map((d) => [d.from, d.to])).toEqual([
      [null, 'running'],
      ['running', 'pausing'],
      ['pausing', 'paused'],
      ['paused', 'running'],
      ['running', 'succeeded'],
    ]);
    for (const d of details) expect(d).toMatchObject({ clusterId: stack.clusterId, upgradeId: u.id, toVersion: TARGET });
  });
});

describe('notifications at least once', () => {
  const eventBridge = mockClient(EventBridgeClient);
  let stack: TestStack;
  /** what EventBridge accepted, in order; each call's fate is decided by `answer` */
  let accepted: Array<{ id: string; to: string }>;
  let answer: (call: number, entries: number) => 'down' | 'first-refused' | 'ok';
  beforeEach(async () => {
    accepted = [];
    let calls = 0;
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: Array<{ Detail: string }> }) => {
      const fate = answer(++calls, input.Entries.length);
      if (fate === 'down') throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' });
      const entries = input.Entries.map((e, i) => {
        if (fate === 'first-refused' && i === 0) return { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' };
        const d = JSON.parse(e.Detail) as { id: string; to: string };
        accepted.push({ id: d.id, to: d.to });
        return { EventId: `e${calls}-${i}` };
      });
      return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
    });
    stack = await startTestStack({ sim: { masters: 1, workers: 3, upgradeMs: 100 }, notifier: new EventBridgeNotifier('kupgrade-bus') });
  });
  afterEach(async () => stack?.stop());

  it('a PutEvents that fails, whole or in part, is tried again until delivered, each change once under its stable id', async () => {
    // two calls fail whole, the next refuses its first entry (FailedEntryCount 1), then the bus works
    answer = (call) => (call <= 2 ? 'down' : call === 3 ? 'first-refused' : 'ok');
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-outbox', targetVersion: TARGET });
    const done = await stack.waitForUpgrade(u.id, (x) => x.status === 'succeeded', 60_000);
    // published after the write that made it, then taken out of the outbox by an update: both may land just after the status is seen
    await eventually(async () => Object.keys((await stack.upgrade(done.id)).outbox ?? {}).length === 0, 'the outbox to be empty');

    expect(eventBridge.commandCalls(PutEventsCommand).length).toBeGreaterThan(3);
    expect(accepted).toEqual([
      { id: `${u.id}:1`, to: 'running' },
      { id: `${u.id}:2`, to: 'succeeded' },
    ]);
  });

  it('changes left in the outbox by a bus that was down are delivered by the sweeper, once', async () => {
    let busUp = false;
    answer = () => (busUp ? 'ok' : 'down');
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-outbox-sweep', targetVersion: TARGET });
    const done = await stack.waitForUpgrade(u.id, (x) => x.status === 'succeeded', 60_000);
    expect(Object.keys(done.outbox ?? {})).toEqual([`${u.id}:1`, `${u.id}:2`]);
    expect(accepted).toEqual([]);

    busUp = true;
    const notifier = new EventBridgeNotifier('kupgrade-bus');
    const first = await sweep({ ...stack.ctx, notifier });
    const second = await sweep({ ...stack.ctx, notifier });

    expect(first.delivered).toEqual([`${u.id}:1`, `${u.id}:2`]);
    expect(second.delivered).toEqual([]);
    expect(accepted.map((a) => a.id)).toEqual([`${u.id}:1`, `${u.id}:2`]);
  });
});
