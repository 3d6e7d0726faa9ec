import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { listEvents } from '../../src/store/events.js';
import { pauseUpgrade, resumeUpgrade, startUpgrade } from '../../src/upgrades/control.js';
import { eventually } from '../helpers/eventually.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-upgrade/leases';
const micro = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

describe('the Lease in the cluster', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // a short running duration, so a lapse is seconds away; slow Jobs, so a pause lands mid-upgrade
    stack = await startTestStack({ sim: { masters: 1, workers: 4, upgradeMs: 400 }, env: { LEASE_SECONDS: '3' } });
  });
  afterAll(async () => stack?.stop());

  const lease = async () => (await stack.sim.request('GET', `${LEASES}/kupgrade`)).body;

  it('a live foreign holder pauses the upgrade before it touches anything; its Lease is taken over after its bound and not before', async () => {
    // Prepare: another kupgrade holds the cluster, renewing every few seconds; then it stops renewing
    await stack.sim.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-upgrade' } });
    const renewed = new Date();
    const created = await stack.sim.request('POST', LEASES, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'kupgrade',
        annotations: { 'kupgrade.io/installation': 'kupgrade-in-another-account', 'kupgrade.io/upgrade-id': 'upg-other', 'kupgrade.io/cluster-id': 'lab2' },
      },
      spec: { holderIdentity: 'upg-other@kupgrade-in-another-account', leaseDurationSeconds: 4, renewTime: micro(renewed), acquireTime: micro(renewed) },
    });
    expect(created.status).toBe(201);
    const bound = renewed.getTime() + 4000;

    // Act: an upgrade starts while the holder is live
    const u = await startUpgrade(stack.controls, { clusterId: stack.clusterId, upgradeId: 'upg-lease', targetVersion: target });
    const paused = await stack.waitForUpgrade(u.id, (x) => x.status === 'paused');

    // Assess: paused naming the holder and its installation; the cluster and the Lease untouched
    expect(Date.now()).toBeLessThan(bound);
    expect(paused.error).toMatchObject({
      reason: 'ClusterLeased',
      message: expect.stringContaining('upgrade upg-other of cluster lab2 run by the kupgrade installation kupgrade-in-another-account'),
    });
    expect(paused.precheck?.results.find((r) => r.name === 'upgrade-lease')).toMatchObject({ status: 'fail' });
    expect((await stack.driver.listNodes()).filter((n) => n.unschedulable)).toEqual([]);
    expect((await lease()).metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);

    // Act + Assess: a resume before the bound is refused the same way
    await resumeUpgrade(stack.controls, stack.clusterId, u.id);
    const again = await stack.waitForUpgrade(u.id, (x) => x.status === 'paused' && x.executions === 2);
    if (Date.now() < bound) expect(again.error).toMatchObject({ reason: 'ClusterLeased' });
    expect((await lease()).spec.holderIdentity).toBe('upg-other@kupgrade-in-another-account');

    // Act: after the bound, resumed
    await eventually(() => Date.now() > bound + 200, 'the foreign Lease to lapse', 10_000);
    await resumeUpgrade(stack.controls, stack.clusterId, u.id);

    // Assess: taken over (an event says so), renewed for LEASE_SECONDS while running
    const running = await eventually(async () => {
      const l = await lease();
      return l?.metadata?.annotations?.['kupgrade.io/upgrade-id'] === u.id && l;
    }, 'the Lease to be taken over');
    expect(running.spec).toMatchObject({ holderIdentity: expect.stringMatching(/^upg-lease@/), leaseDurationSeconds: 3, leaseTransitions: 1 });
    // the Lease is written first, then the takeover is recorded
    const takeover = await eventually(async () => (await listEvents(stack.db, u.id)).find((e) => e.type === 'LeaseTakenOver'), 'the takeover on record');
    expect(takeover.message).toContain('upgrade upg-other of cluster lab2');

    // Act: paused mid-upgrade, the Lease runs to the upgrade's expiry (it still holds its cordons)
    await stack.waitForUpgrade(u.id, (x) => x.phase === 'nodes' && x.currentBatch !== null);
    await pauseUpgrade(stack.controls, stack.clusterId, u.id);
    const pausedAgain = await stack.waitForUpgrade(u.id, (x) => x.status === 'paused');
    const whilePaused = await eventually(
      async () => ((await lease()).spec.leaseDurationSeconds > 3 ? await lease() : undefined),
      'the Lease to run to the expiry',
    );
    expect(Math.abs(whilePaused.spec.leaseDurationSeconds - (pausedAgain.expiresAt! - Date.parse(whilePaused.spec.renewTime) / 1000))).toBeLessThan(5);

    // Act: resumed to the end
    await resumeUpgrade(stack.controls, stack.clusterId, u.id);
    const done = await stack.waitForUpgrade(u.id, (x) => x.status !== 'running', 60_000);

    // Assess: succeeded, and the Lease released with the cluster
    expect(done.status).toBe('succeeded');
    // the status is written first, then the cluster is freed: its lock, then its Lease
    await eventually(async () => (await stack.sim.request('GET', `${LEASES}/kupgrade`)).status === 404, 'the Lease to be released');
    await eventually(async () => (await listEvents(stack.db, u.id)).some((e) => e.type === 'LeaseReleased'), 'the release on record');
  });
});
