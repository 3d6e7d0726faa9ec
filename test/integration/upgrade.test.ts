import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { listBatches } from '../../src/store/batches.js';
import { listEvents } from '../../src/store/events.js';
import { getCluster } from '../../src/store/clusters.js';
import { startUpgrade } from '../../src/upgrades/control.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

describe('an upgrade end to end on the local engine', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => stack?.stop());

  it('upgrades 3 masters one by one and 20 workers in batches 1, 2, 2, … to 1.31.10', async () => {
    // Act
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-e2e', targetVersion: '1.31.10' });
    const run = await stack.workflow.waitFor(u.id);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    const done = await stack.upgrade(u.id);
    expect(done).toMatchObject({ status: 'succeeded', phase: 'done', fromVersion: '1.30.4', toVersion: '1.31.10' });
    expect(done.masters).toMatchObject({ total: 3, upgraded: 3, current: null });
    expect(done.nodes).toEqual({ total: 20, upgraded: 20 });

    const batches = await listBatches(stack.db, u.id);
    const masters = batches.filter((b) => b.kind === 'master');
    expect(masters.map((b) => b.nodes.map((n) => n.name))).toEqual(
      [['master-1'], ['master-2'], ['master-3']].map((x) => x.map((n) => expect.stringContaining(n.split('-')[1]!))),
    );
    expect(masters.map((b) => b.nodes[0]!.role)).toEqual(['first-master', 'master', 'master']);
    // one master at a time: each starts after the previous one finished
    for (let i = 1; i < masters.length; i++) expect(masters[i]!.startedAt >= masters[i - 1]!.finishedAt!).toBe(true);

    const workers = batches.filter((b) => b.kind === 'worker');
    expect(workers.map((b) => b.nodes.length)).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1]);
    expect(workers.map((b) => b.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(new Set(workers.flatMap((b) => b.nodes.map((n) => n.name))).size).toBe(20);

    const nodes = await stack.driver.listNodes();
    expect(nodes).toHaveLength(23);
    for (const n of nodes) {
      expect(n).toMatchObject({ kubeletVersion: '1.31.10', ready: true, unschedulable: false });
      expect(n.annotations['kupgrade.io/cordoned-by']).toBeUndefined();
    }
    expect(stack.sim.serverVersion).toBe('v1.31.10');
    expect(stack.sim.objects('jobs', 'kube-upgrade')).toEqual([]);
    expect(stack.sim.objects('pods', 'kube-upgrade')).toEqual([]);
    await stack.waitForClusterFree();
    expect(await getCluster(stack.db, stack.clusterId)).toMatchObject({ version: '1.31.10' });

    const types = (await listEvents(stack.db, u.id)).map((e) => e.type);
    expect(types[0]).toBe('UpgradeCreated');
    // the end is told with the write that ends it; the Lease is released (and told) after it
    expect(types.filter((t) => t !== 'LeaseReleased').at(-1)).toBe('UpgradeSucceeded');
    expect(types.filter((t) => t === 'NodeUpgraded')).toHaveLength(23);
  });
});
