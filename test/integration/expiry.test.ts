import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { handler as ttlStream } from '../../functions/expiry/ttlStream.js';
import { handler as sweeper } from '../../functions/expiry/sweeper.js';
import { getCluster } from '../../src/store/clusters.js';
import { keys } from '../../src/store/db.js';
import { listEvents } from '../../src/store/events.js';
import { getUpgrade } from '../../src/store/upgrades.js';
import { pauseUpgrade, startUpgrade, resumeUpgrade } from '../../src/upgrades/control.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';

const TARGET = '1.31.10';

/** Starts an upgrade and pauses it during its first worker batch. */
async function pausedUpgrade(stack: TestStack, id: string, targetVersion = TARGET) {
  const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: id, targetVersion });
  await stack.waitForUpgrade(u.id, (x) => x.workerBatches >= 1 && x.currentBatch !== null);
  await pauseUpgrade(stack.controls, stack.clusterId, u.id);
  await stack.waitForUpgrade(u.id, (x) => x.status === 'paused');
  await stack.workflow.waitFor(u.id);
  return stack.upgrade(u.id);
}

describe('the 15-day expiry, shortened', () => {
  let stack: TestStack;
  beforeEach(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 6, upgradeMs: 200 }, env: { UPGRADE_EXPIRY_SECONDS: '3' } });
  });
  afterEach(async () => stack?.stop());

  it('stamps the upgrade and its events with expiresAt while paused and removes it on resume', async () => {
    const paused = await pausedUpgrade(stack, 'upg-stamp');
    expect(paused.expiresAt).toBe(Math.ceil(Date.parse(paused.pausedAt!) / 1000) + 3);
    const stamped = await rawEvents(stack, paused.id);
    expect(stamped.length).toBeGreaterThan(5);
    expect(stamped.every((e) => e.expiresAt === paused.expiresAt)).toBe(true);

    await resumeUpgrade(stack.controls, stack.clusterId, paused.id);
    expect((await rawEvents(stack, paused.id)).every((e) => e.expiresAt === undefined)).toBe(true);
    await stack.waitForUpgrade(paused.id, (x) => x.status === 'succeeded', 60_000);
  });

  it('the sweeper leaves a paused upgrade alone before its expiry and closes it after: expired, events gone, cluster free', async () => {
    const paused = await pausedUpgrade(stack, 'upg-sweep');
    expect((await sweeper()).closed).toEqual([]);
    expect((await stack.upgrade(paused.id)).status).toBe('paused');

    await new Promise((r) => setTimeout(r, (paused.expiresAt! + 1) * 1000 - Date.now()));
    expect((await sweeper()).closed).toEqual([paused.id]);

    const closed = await stack.upgrade(paused.id);
    expect(closed).toMatchObject({ status: 'expired', phase: 'done' });
    expect(closed.expiresAt).toBeUndefined();
    expect(await listEvents(stack.db, paused.id)).toEqual([]);
    expect((await getCluster(stack.db, stack.clusterId))?.activeUpgradeId).toBeUndefined();
    expect(stack.sim.objects('jobs', 'kube-upgrade').filter((j) => j.metadata.labels?.['kupgrade.io/upgrade-id'] === paused.id)).toEqual([]);
    // closing twice is harmless
    expect((await sweeper()).closed).toEqual([]);
    const next = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-after-expiry', targetVersion: TARGET });
    expect(next.status).toBe('running');
    await stack.waitForUpgrade(next.id, (x) => x.status === 'succeeded', 60_000);
  });
});

describe('the TTL stream handler', () => {
  let stack: TestStack;
  beforeEach(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 6, upgradeMs: 200 }, env: { UPGRADE_EXPIRY_SECONDS: '1' } });
  });
  afterEach(async () => stack?.stop());

  const removeRecord = (item: Record<string, unknown>, identity?: object) => ({
    Records: [
      { eventName: 'REMOVE', ...(identity ? { userIdentity: identity } : {}), dynamodb: { OldImage: marshall(item, { removeUndefinedValues: true }) } },
    ],
  });

  it('ignores a user delete, and closes the upgrade on a TTL REMOVE record', async () => {
    const paused = await pausedUpgrade(stack, 'upg-ttl');
    const key = keys.upgrade(stack.clusterId, paused.id);
    const item = (await stack.db.doc.send(new GetCommand({ TableName: stack.db.table, Key: key }))).Item!;
    // DynamoDB's TTL deletes the item…
    await stack.db.doc.send(new DeleteCommand({ TableName: stack.db.table, Key: key }));

    // …a record of a delete by a user changes nothing
    expect(await ttlStream(removeRecord(item))).toEqual({ closed: [] });
    expect(await getUpgrade(stack.db, stack.clusterId, paused.id)).toBeUndefined();
    expect((await getCluster(stack.db, stack.clusterId))?.activeUpgradeId).toBe(paused.id);

    // …the TTL's own record closes it
    expect(await ttlStream(removeRecord(item, { type: 'Service', principalId: 'dynamodb.amazonaws.com' }))).toEqual({ closed: [paused.id] });
    expect(await stack.upgrade(paused.id)).toMatchObject({ status: 'expired', phase: 'done' });
    expect(await listEvents(stack.db, paused.id)).toEqual([]);
    expect((await getCluster(stack.db, stack.clusterId))?.activeUpgradeId).toBeUndefined();
    // a second delivery of the same record is harmless
    expect(await ttlStream(removeRecord(item, { type: 'Service', principalId: 'dynamodb.amazonaws.com' }))).toEqual({ closed: [] });
  });
});

async function rawEvents(stack: TestStack, upgradeId: string) {
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const out = await stack.db.doc.send(
    new QueryCommand({
      TableName: stack.db.table,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':p': `UPGRADE#${upgradeId}`, ':e': 'EVENT#' },
    }),
  );
  return out.Items ?? [];
}
