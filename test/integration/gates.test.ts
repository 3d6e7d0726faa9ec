import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PHASE_HANDLERS } from '../../local/phaseHandlers.js';
import { listBatches } from '../../src/store/batches.js';
import { listEvents } from '../../src/store/events.js';
import { resumeUpgrade } from '../../src/upgrades/control.js';
import { createUpgrade } from '../../src/upgrades/createUpgrade.js';
import { setNodeReady } from '../helpers/simOps.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';

describe('the nodes-ready gate, on the simulated cluster', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 4, upgradeMs: 50 }, env: { VALIDATION_TIMEOUT_SECONDS: '2' } });
  });
  afterAll(async () => stack?.stop());

  it('holds the first master back while a worker that was Ready is not, pauses naming it after the timeout, and goes on once it is back', async () => {
    // Prepare: the precheck passed with every node Ready; then worker-2 goes NotReady before any batch started
    const input = { clusterId: stack.clusterId, upgradeId: 'upg-gate' };
    await createUpgrade(stack.db, { ...input, targetVersion: target, now: new Date().toISOString() });
    await PHASE_HANDLERS.Precheck!(input);
    expect(await stack.upgrade(input.upgradeId)).toMatchObject({ phase: 'masters', status: 'running' });
    await setNodeReady(stack.sim, 'worker-2', false);

    // Act: the masters phase's boundary, as the state machine runs it
    await PHASE_HANDLERS.Master!(input);

    // Assess: a wait with the reason, no batch, no node touched
    const held = await stack.upgrade(input.upgradeId);
    expect(held).toMatchObject({ status: 'running', batchSeq: 0, waitingFor: { gate: 'nodes-ready', reason: 'NodeNotReady', object: 'node/worker-2' } });
    expect(held.waitingFor?.message).toContain('node worker-2 was Ready when the upgrade began and is not Ready now');
    expect(Date.parse(held.waitingFor!.deadline!) - Date.parse(held.waitingFor!.since)).toBe(2000);
    expect(await listBatches(stack.db, input.upgradeId)).toEqual([]);
    expect((await stack.driver.listNodes()).filter((n) => n.unschedulable)).toEqual([]);

    // Act: still NotReady past VALIDATION_TIMEOUT_SECONDS
    await new Promise((r) => setTimeout(r, 2100));
    await PHASE_HANDLERS.Master!(input);

    // Assess: paused, naming the node, still nothing touched; one event when the wait began
    const paused = await stack.upgrade(input.upgradeId);
    expect(paused).toMatchObject({ status: 'paused', batchSeq: 0, error: { reason: 'NodeNotReady', remedy: expect.stringContaining('node/worker-2') } });
    expect((await stack.driver.listNodes()).filter((n) => n.unschedulable)).toEqual([]);
    expect((await listEvents(stack.db, input.upgradeId)).filter((e) => e.type === 'WaitingForNodes')).toHaveLength(1);

    // Act: the node is back; resumed, the upgrade runs to the end
    await setNodeReady(stack.sim, 'worker-2', true);
    await resumeUpgrade(stack.controls, stack.clusterId, input.upgradeId);
    const done = await stack.waitForUpgrade(input.upgradeId, (u) => u.status !== 'running', 60_000);
    expect(done.status).toBe('succeeded');
    expect(done.waitingFor).toBeUndefined();
  });
});
