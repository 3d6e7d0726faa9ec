import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PHASE_HANDLERS } from '../../local/phaseHandlers.js';
import { getBatch, listBatches } from '../../src/store/batches.js';
import { createUpgrade } from '../../src/upgrades/createUpgrade.js';
import type { StepState } from '../../src/phases/context.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const byPhase: Record<string, string> = { precheck: 'Precheck', masters: 'Master', nodes: 'NodeBatch', cleanup: 'Cleanup' };
const jobsFor = (stack: TestStack, node: string) => stack.sim.objects('jobs', 'kube-upgrade').filter((j) => j.metadata.labels?.['kupgrade.io/node'] === node);

describe('phase Lambdas invoked again with the same input', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ sim: { masters: 1, workers: 3, upgradeMs: 200 } });
  });
  afterAll(async () => stack?.stop());

  it('create no second Job and lose no progress', async () => {
    // Prepare: an upgrade driven by hand, without the state machine
    const input = { clusterId: stack.clusterId, upgradeId: 'upg-twice' };
    await createUpgrade(stack.db, { ...input, targetVersion: '1.31.10', now: new Date().toISOString() });
    await PHASE_HANDLERS.Precheck!(input);
    const afterPrecheck = await PHASE_HANDLERS.Precheck!(input);
    expect(afterPrecheck).toMatchObject({ phase: 'masters', stop: false });

    // Act: the master step twice in a row
    const first = (await PHASE_HANDLERS.Master!(input)) as StepState;
    const second = (await PHASE_HANDLERS.Master!(input)) as StepState;

    // Assess
    expect(first).toMatchObject({ phase: 'masters', wait: true });
    expect(second).toMatchObject({ phase: 'masters' });
    expect(jobsFor(stack, 'master-1')).toHaveLength(1);
    const u = await stack.upgrade(input.upgradeId);
    expect(u).toMatchObject({ batchSeq: 1, currentBatch: 1 });
    const batch = await getBatch(stack.db, input.upgradeId, 1);
    expect(['upgrading', 'verifying', 'done']).toContain(batch!.nodes[0]!.step);

    // Act: two overlapping invocations (a retry racing the original)
    const raced = await Promise.allSettled([PHASE_HANDLERS.Master!(input), PHASE_HANDLERS.Master!(input)]);
    // at most one loses the optimistic lock, as a Conflict the state machine retries
    for (const r of raced) if (r.status === 'rejected') expect((r.reason as Error).name).toBe('Kupgrade.Conflict');
    expect(jobsFor(stack, 'master-1')).toHaveLength(1);

    // Drive to the end, stepping every phase twice each time.
    for (let i = 0; i < 500; i++) {
      const state = await stack.upgrade(input.upgradeId);
      if (state.phase === 'done') break;
      const handler = PHASE_HANDLERS[byPhase[state.phase]!]!;
      await handler(input).catch((e: Error) => expect(e.name).toBe('Kupgrade.Conflict'));
      await handler(input).catch((e: Error) => expect(e.name).toBe('Kupgrade.Conflict'));
      await new Promise((r) => setTimeout(r, 20));
    }
    const done = await stack.upgrade(input.upgradeId);
    expect(done).toMatchObject({ status: 'succeeded', nodes: { total: 3, upgraded: 3 }, masters: { total: 1, upgraded: 1 } });
    const batches = await listBatches(stack.db, input.upgradeId);
    expect(
      batches
        .map((b) => b.nodes.map((n) => n.name))
        .flat()
        .sort(),
    ).toEqual(['master-1', 'worker-1', 'worker-2', 'worker-3']);
    for (const n of await stack.driver.listNodes()) expect(n).toMatchObject({ kubeletVersion: '1.31.10', unschedulable: false });
  });
});
