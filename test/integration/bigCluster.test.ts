import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../src/store/db.js';
import { listBatches } from '../../src/store/batches.js';
import { startUpgrade } from '../../src/upgrades/control.js';
import { planOf, precheckPlanOf } from '../helpers/plans.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';
const WORKERS = 1700;
/** A 253-character DNS name, the longest a node may have: four labels of at most 63 characters. */
const longName = (i: number) => {
  const head = `ip-10-${Math.floor(i / 250)}-${i % 250}-${i}`;
  return [head.padEnd(63, 'x'), 'a'.repeat(63), 'b'.repeat(63), 'compute-internal'.padEnd(61, 'z')].join('.');
};

describe('a cluster whose plan would not fit one DynamoDB item', () => {
  let stack: TestStack;
  beforeAll(async () => {
    expect(longName(1)).toHaveLength(253);
    stack = await startTestStack({ sim: { masters: 1, workers: WORKERS, workload: 'none', upgradeMs: 20, rescheduleMs: 10, workerName: longName } });
  });
  afterAll(async () => stack?.stop());

  it(`upgrades ${WORKERS} workers with 253-character names, where the old layout (the plan twice on the upgrade item) would have been refused`, async () => {
    // Act
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-big', targetVersion: target });
    const planned = await stack.waitForUpgrade(u.id, (x) => x.phase !== 'precheck', 120_000);
    const plan = await precheckPlanOf(stack.db, planned);
    const done = await stack.waitForUpgrade(u.id, (x) => x.status !== 'running', 600_000);

    // Assess: done, every worker at the target, none left cordoned, the batches the plan said
    expect(done.status).toBe('succeeded');
    const nodes = await stack.driver.listNodes();
    expect(nodes.filter((n) => n.kubeletVersion !== target || n.unschedulable)).toEqual([]);
    expect(plan!.batches.flat()).toHaveLength(WORKERS);
    const ran = (await listBatches(stack.db, u.id)).filter((b) => b.kind === 'worker').map((b) => b.nodes.map((n) => n.name));
    expect(ran).toEqual(plan!.batches);
    // the item keeps a summary: the sizes, and the next batch (none left)
    expect(done.planSummary).toMatchObject({ batchSizes: [], next: [] });
    expect(JSON.stringify(done).length).toBeLessThan(20_000);

    // Assess: the layout before issue 22 (the plan on the item, and again in its precheck) is refused by DynamoDB
    const old = { ...done, plan, precheck: { ...done.precheck!, plan }, id: 'upg-old-layout' };
    expect(JSON.stringify(old).length).toBeGreaterThan(400 * 1024);
    const put = stack.db.doc.send(new PutCommand({ TableName: stack.db.table, Item: { ...keys.upgrade(stack.clusterId, old.id), ...old } }));
    await expect(put).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/Item size has exceeded the maximum allowed size/) });
    // while each page of the plan as it is stored stays well under the limit
    expect((await planOf(stack.db, planned)).batches.flat().length).toBe(WORKERS);
  }, 900_000);
});
