import { afterEach, describe, expect, it } from '@jest/globals';
import { ANNOTATION_CORDONED_BY } from '../../src/domain/clusterMarks.js';
import { checkView, upgradeView } from '../../src/api/views.js';
import { runCheck } from '../../src/checks/runCheck.js';
import { startCheck } from '../../src/checks/startCheck.js';
import { getCheck } from '../../src/store/checks.js';
import { startUpgrade } from '../../src/upgrades/control.js';
import { pinUnevictablePod } from '../helpers/simOps.js';
import { readPlan } from '../../src/store/plans.js';
import { precheckPlanOf } from '../helpers/plans.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const TARGET = '1.31.10';

describe('the Precheck phase', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('ends the upgrade failed with the report when a check fails, leaves the cluster untouched and free for a new attempt', async () => {
    // Prepare: a zero-budget PDB makes pdb-blockers fail
    const s = (stack = await startTestStack({ sim: { masters: 1, workers: 3 } }));
    await pinUnevictablePod(s.sim, 'worker-1', 'pinned');
    const from = s.sim.requests.length;

    // Act
    await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-blocked', targetVersion: TARGET });
    const failed = await s.waitForUpgrade('upg-blocked', (u) => u.status !== 'running');

    // Assess: failed, with the report and the failing check named
    expect(failed).toMatchObject({ status: 'failed', phase: 'done' });
    expect(failed.precheck?.status).toBe('failed');
    expect(failed.precheck?.results.find((r) => r.name === 'pdb-blockers')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('default/pinned-never'),
    });
    // untouched: kupgrade only read the cluster, no cordon, no Job
    expect(s.sim.requests.slice(from).filter((r) => r.method !== 'GET')).toEqual([]);
    for (const n of await s.driver.listNodes()) {
      expect(n.unschedulable).toBe(false);
      expect(n.annotations[ANNOTATION_CORDONED_BY]).toBeUndefined();
    }
    expect(s.sim.objects('jobs', 'kube-upgrade')).toEqual([]);
    // free: the lock is released and a new attempt starts once the PDB is fixed
    await s.waitForClusterFree();
    await s.sim.request('DELETE', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/pinned-never');
    const again = await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-retry', targetVersion: TARGET });
    expect(again.status).toBe('running');
    expect((await s.waitForUpgrade('upg-retry', (u) => u.status !== 'running', 60_000)).status).toBe('succeeded');
  });

  it('lets an upgrade with warnings start, keeps the warnings on it and ends with the advice the user needs', async () => {
    // Prepare: a pod on a FlexVolume OSS volume (and the demo's bare pod) give warnings
    const s = (stack = await startTestStack({ sim: { masters: 1, workers: 3 } }));
    const oss = {
      metadata: { name: 'oss-reader', namespace: 'default', labels: { app: 'oss-reader' } },
      spec: {
        nodeName: 'worker-2',
        containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }],
        volumes: [{ name: 'bucket', flexVolume: { driver: 'alicloud/oss' } }],
      },
    };
    expect((await s.sim.request('POST', '/api/v1/namespaces/default/pods', oss)).status).toBe(201);

    // Act
    await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-warned', targetVersion: TARGET });
    const done = await s.waitForUpgrade('upg-warned', (u) => u.status !== 'running', 60_000);

    // Assess
    expect(done.status).toBe('succeeded');
    expect(done.precheck?.status).toBe('passed');
    const warnings = done.precheck!.results.filter((r) => r.status === 'warn');
    expect(warnings.map((r) => r.name).sort()).toEqual(['bare-pods', 'flexvolume-oss']);
    expect(warnings.every((r) => r.remedy.length > 0)).toBe(true);
    expect(done.advice).toEqual([
      expect.stringContaining('Upgrade your local kubectl to within one minor of 1.31.10'),
      expect.stringContaining('default/oss-reader'),
    ]);
  });

  it('reports the same results and plan in a check run alone as in the upgrade that follows it', async () => {
    // Prepare: a cluster with warnings (the demo's bare pod), and a check run alone
    const s = (stack = await startTestStack({ sim: { masters: 3, workers: 10 } }));
    const reader = {
      read: async () => {
        throw new Error('not used');
      },
      readDrain: () => Promise.reject(new Error('not read by a check')),
      startCheck: (args: { clusterId: string; checkId: string }) => runCheck(s.ctx, args),
    };
    const check = await startCheck({ db: s.db, now: s.ctx.now, newId: () => 'chk-1', reader }, { clusterId: s.clusterId, targetVersion: TARGET });
    // a check's plan and an upgrade's live in pages of their own (issue 22); the views read them back
    const stored = (await getCheck(s.db, s.clusterId, check.id))!;
    const report = checkView(stored, await readPlan(s.db, { clusterId: s.clusterId, checkId: check.id }, stored.report.planSummary));

    // Act
    await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-after-check', targetVersion: TARGET });
    const started = await s.waitForUpgrade('upg-after-check', (u) => u.phase !== 'precheck');

    // Assess: the very object the check showed, plan included (masters' order, which worker in which batch)
    const precheck = upgradeView(started, [], { precheck: await precheckPlanOf(s.db, started) }).precheck!;
    expect(report.status).toBe('passed');
    expect(report.results.some((r) => r.status === 'warn')).toBe(true);
    expect(report.plan?.masters).toHaveLength(3);
    expect(report.plan?.batches.flat()).toHaveLength(10);
    expect({ status: precheck.status, results: precheck.results, plan: precheck.plan }).toEqual({
      status: report.status,
      results: report.results,
      plan: report.plan,
    });
    // let the execution end before the stack is stopped under it
    expect((await s.waitForUpgrade('upg-after-check', (u) => u.status !== 'running', 60_000)).status).toBe('succeeded');
  });
});
