import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { KubeSim } from '../../local/kube-sim/index.js';
import { listBatches } from '../../src/store/batches.js';
import { listEvents } from '../../src/store/events.js';
import { startUpgrade, resumeUpgrade } from '../../src/upgrades/control.js';
import { eventually } from '../helpers/eventually.js';
import { setNodeReady, workerNames } from '../helpers/simOps.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';

async function must(sim: KubeSim, method: string, path: string, body?: unknown, contentType?: string): Promise<void> {
  const res = await sim.request(method, path, body, contentType ? { contentType } : undefined);
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}

/** A ReplicaSet of `replicas` pause pods labelled app=<name>, as kubectl would create it. */
const createReplicaSet = (sim: KubeSim, name: string, replicas: number) =>
  must(sim, 'POST', '/apis/apps/v1/namespaces/default/replicasets', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
    },
  });

const readyReplicas = (sim: KubeSim, name: string) =>
  (sim.object('replicasets', 'default', name)?.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0;
const podsOf = (sim: KubeSim, app: string) => sim.objects('pods', 'default').filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp);

/** A NoSchedule taint, as an operator reserving nodes for another team adds it: pods already there stay, new ones do not land. */
const taintNode = (sim: KubeSim, node: string) =>
  must(
    sim,
    'PATCH',
    `/api/v1/nodes/${node}`,
    { spec: { taints: [{ key: 'example.com/reserved', value: 'other-team', effect: 'NoSchedule' }] } },
    'application/merge-patch+json',
  );

describe('validation between batches, on the simulated cluster', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  describe('a ReplicaSet already short before the upgrade', () => {
    beforeEach(async () => {
      stack = await startTestStack({ sim: { masters: 1, workers: 3, workload: 'none', upgradeMs: 50 }, env: { VALIDATION_TIMEOUT_SECONDS: '2' } });
    });

    it('does not hold the upgrade, while a ReplicaSet whose evicted pods do not come back pauses it, named', async () => {
      const s = stack!;
      // Prepare: "solo" runs one pod on a worker; then every worker is reserved for another team (NoSchedule), so
      // "stuck", created afterwards, fits no node and stays at 0 of 1, and solo's pod, once evicted, has nowhere to go.
      await createReplicaSet(s.sim, 'solo', 1);
      await eventually(() => readyReplicas(s.sim, 'solo') === 1, 'solo running');
      const soloNode = (podsOf(s.sim, 'solo')[0]!.spec as { nodeName: string }).nodeName;
      for (const w of workerNames(3)) await taintNode(s.sim, w);
      await createReplicaSet(s.sim, 'stuck', 1);
      await eventually(() => podsOf(s.sim, 'stuck').length === 1, 'stuck has its pod');
      expect(readyReplicas(s.sim, 'stuck')).toBe(0);

      // Act
      const u = await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-short-before', targetVersion: target });
      const paused = await s.waitForUpgrade(u.id, (x) => x.status !== 'running');

      // Assess: the batch that drained solo's node paused the upgrade, naming solo and not stuck
      expect(paused.status).toBe('paused');
      expect(paused.error).toMatchObject({ reason: 'ValidationFailed' });
      expect(paused.error?.message).toContain('ReplicaSet default/solo has 0 of 1 pods ready');
      expect(paused.error?.message).not.toContain('default/stuck');
      const held = (await listBatches(s.db, u.id)).find((b) => b.number === paused.validation?.batch)!;
      expect(held.nodes.map((n) => n.name)).toEqual([soloNode]);
      expect(held.workloadsShortBefore).toEqual([{ name: 'default/stuck', ready: 0 }]);

      // Act: the operator removes solo; stuck is still short
      await must(s.sim, 'DELETE', '/apis/apps/v1/namespaces/default/replicasets/solo');
      await resumeUpgrade(s.controls, s.clusterId, u.id);
      const done = await s.waitForUpgrade(u.id, (x) => x.status !== 'running', 60_000);

      // Assess: the upgrade finished around the app it did not break
      expect(done.status).toBe('succeeded');
      expect(readyReplicas(s.sim, 'stuck')).toBe(0);
    });
  });

  describe('a node that flaps between the two looks', () => {
    // The phase steps read this clock. It moves only when the test moves it, so no soak elapses by itself
    // and each look is told apart by what the upgrade stores, not by how fast anything runs.
    let clockMs = Date.parse('2026-03-02T10:00:00.000Z');
    let realTime = false;
    const now = () => new Date(realTime ? Date.now() + clockMs : clockMs).toISOString();
    beforeEach(async () => {
      stack = await startTestStack({ sim: { masters: 1, workers: 4, upgradeMs: 50 }, env: { SOAK_SECONDS: '1' }, now });
    });

    it('keeps the next batch waiting until two looks a soak apart both hold', async () => {
      const s = stack!;
      const id = 'upg-flap';
      // batch 1 is the master, batch 2 the first worker batch; the events name them so (issue 17: "after worker batch 1")
      const labels: Record<number, string> = { 1: 'master 1', 2: 'worker batch 1' };
      const validatedAfter = async (batch: number) =>
        (await listEvents(s.db, id)).some((e) => e.type === 'BatchValidated' && e.message.endsWith(`after ${labels[batch]}`));
      // Each look lists the ReplicaSets: counting those lists counts looks, however fast or slow they come.
      const looks = () => s.sim.requests.filter((r) => r.method === 'GET' && r.path === '/apis/apps/v1/replicasets').length;
      const moreLooks = async (n: number) => {
        const from = looks();
        await eventually(() => looks() >= from + n + 1, `${n} more looks`);
      };
      await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: id, targetVersion: target });

      // the master's batch: a first healthy look is not enough, nor are more looks before a soak has passed
      await s.waitForUpgrade(id, (x) => x.validation?.batch === 1 && x.validation.passes === 1);
      await moreLooks(2);
      expect(await validatedAfter(1)).toBe(false);
      expect(await s.upgrade(id)).toMatchObject({ validation: { batch: 1, passes: 1 }, batchSeq: 1 });
      // a soak later the next look passes it
      clockMs += 1000;

      // the first worker batch: its first look holds
      const first = await s.waitForUpgrade(id, (x) => x.validation?.batch === 2 && x.validation.passes === 1);
      // the event rides on the write that started the batch, and is stored a moment after it
      await eventually(() => validatedAfter(1), 'BatchValidated after master 1');
      expect(first.workerBatches).toBe(1);
      const batch = (await listBatches(s.db, id)).find((b) => b.number === 2)!;
      const bystander = workerNames(4).find((n) => !batch.nodes.some((b) => b.name === n))!;

      // Act: a soak later a worker outside the batch is NotReady for the second look, then Ready again
      await setNodeReady(s.sim, bystander, false);
      clockMs += 1000;
      const flapped = await s.waitForUpgrade(id, (x) => x.validation?.batch === 2 && x.validation.passes === 0 && (x.validation.problems ?? []).length > 0);
      expect(flapped.validation?.problems).toEqual([`node ${bystander} was Ready before the batch and is not Ready now`]);
      await setNodeReady(s.sim, bystander, true);
      const again = await s.waitForUpgrade(id, (x) => x.validation?.batch === 2 && x.validation.passes === 1);

      // Assess: the look after the flap counts as a first look again; the next batch has not started
      expect(again.validation?.lastPassAt).toBe(now());
      await moreLooks(2);
      expect(await validatedAfter(2)).toBe(false);
      expect(again.workerBatches).toBe(1);
      expect((await listBatches(s.db, id)).filter((b) => b.kind === 'worker')).toHaveLength(1);

      // Act: a soak after that look, the second look holds too
      clockMs += 1000;
      const next = await s.waitForUpgrade(id, (x) => x.workerBatches === 2);

      // Assess
      await eventually(() => validatedAfter(2), 'BatchValidated after worker batch 1');
      expect(next.validation).toBeUndefined();

      // the rest runs on a clock that moves by itself
      clockMs -= Date.now();
      realTime = true;
      expect((await s.waitForUpgrade(id, (x) => x.status !== 'running', 60_000)).status).toBe('succeeded');
    });
  });
});
