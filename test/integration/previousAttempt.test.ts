import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ANNOTATION_SIM_HOLD_UPGRADE } from '../../local/kube-sim/annotations.js';
import { listBatches } from '../../src/store/batches.js';
import { listEvents } from '../../src/store/events.js';
import { resumeUpgrade, startUpgrade } from '../../src/upgrades/control.js';
import { annotateNode, workerNames } from '../helpers/simOps.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';
const workers = workerNames(4);

describe('an upgrade Job that outlived the node-upgrade timeout', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // long enough for every healthy node on a busy machine; only the held one runs into it
    stack = await startTestStack({ sim: { masters: 1, workers: 4, upgradeMs: 30 }, env: { NODE_UPGRADE_TIMEOUT_SECONDS: '5' } });
  });
  afterAll(async () => stack?.stop());

  it('is waited for on resume, shown on the node, and never runs beside a new attempt on the same node', async () => {
    // Prepare: every worker's upgrade hangs, so the first batch's node times out while its Job goes on running
    for (const w of workers) await annotateNode(stack.sim, w, { [ANNOTATION_SIM_HOLD_UPGRADE]: 'true' });
    const id = 'upg-outlived';
    await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: id, targetVersion: target });
    const paused = await stack.waitForUpgrade(id, (u) => u.status === 'paused', 60_000);
    expect(paused.error).toMatchObject({ reason: 'NodeUpgradeTimeout' });
    const node = paused.error!.node!;
    expect(await stack.driver.activeUpgradeJobs(node)).toHaveLength(1);
    await stack.workflow.waitFor(id);

    // Act: resume while the old Job still runs
    await resumeUpgrade(stack.controls, stack.clusterId, id);

    // Assess: the retried node waits for the earlier attempt's Job, and says so
    const waiting = await waitForNode(stack, id, node, (n) => n.waitingFor?.reason === 'PreviousAttemptRunning');
    expect(waiting.waitingFor?.object).toBe(`job/kube-upgrade/${paused.error?.message.match(/kupgrade-[a-z0-9-]+/)?.[0]}`);
    expect(waiting.step).toBe('draining');
    expect(await stack.driver.activeUpgradeJobs(node)).toHaveLength(1);

    // Act: the old Job ends
    for (const w of workers) await annotateNode(stack.sim, w, { [ANNOTATION_SIM_HOLD_UPGRADE]: null });
    const done = await stack.waitForUpgrade(id, (u) => u.status !== 'running', 60_000);

    // Assess: finished, and no node ever had two upgrade Jobs active at once
    expect(done.status).toBe('succeeded');
    const most = stack.sim.maxActiveUpgradeJobs();
    expect(most[node]).toBe(1);
    expect(Math.max(...Object.values(most))).toBe(1);
    const events = await listEvents(stack.db, id);
    expect(events.some((e) => e.type === 'PreviousAttemptRunning' && e.node === node)).toBe(true);
    expect(events.some((e) => e.type === 'WaitEnded' && e.node === node && e.message.includes('PreviousAttemptRunning'))).toBe(true);
  });
});

async function waitForNode(
  stack: TestStack,
  id: string,
  node: string,
  check: (n: { step: string; waitingFor?: { reason: string; object?: string } }) => boolean,
) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const u = await stack.upgrade(id);
    const batch = u.currentBatch === null ? undefined : (await listBatches(stack.db, id)).find((b) => b.number === u.currentBatch);
    const n = batch?.nodes.find((x) => x.name === node);
    if (n && check(n)) return n;
    if (Date.now() > deadline) throw new Error(`node ${node} did not reach the expected state; last: ${JSON.stringify(n)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
