import { adviceAfterUpgrade } from '../domain/advice.js';
import { decideCleanup } from '../domain/cleanup.js';
import { markFinished, markPaused } from '../domain/upgradeLifecycle.js';
import type { UpgradeEvent } from '../domain/upgrade.js';
import { oldestVersion, sameVersion } from '../domain/versions.js';
import { requireCluster, setClusterVersion, unlockCluster } from '../store/clusters.js';
import { requireUpgrade, updateUpgradeRecording } from '../store/upgrades.js';
import type { PhaseContext, StepState } from './context.js';
import { recordEvents } from './recordEvents.js';
import { stepState } from './stepState.js';
import { keepLeaseWhilePaused, leaseSelf } from './clusterLease.js';

/**
 * Removes kupgrade's helpers from the cluster, records the cluster's
 * versions, then ends the upgrade (succeeded, or cancelled when a cancel
 * brought it here) and frees the cluster. Ending first and unlocking second is safe: a lock held by an
 * ended upgrade is released by the next start.
 */
export async function runCleanup(ctx: PhaseContext, input: { clusterId: string; upgradeId: string }): Promise<StepState> {
  let u = await requireUpgrade(ctx.db, input.clusterId, input.upgradeId);
  if (u.phase !== 'cleanup') return stepState(u, ctx.config);
  const now = ctx.now();
  if (decideCleanup(u) === 'pause') {
    // decided again on the stored item: a cancel written since `u` was read wins, and the upgrade ends cancelled below
    const paused = await updateUpgradeRecording(ctx.db, u.clusterId, u.id, (cur) =>
      decideCleanup(cur) === 'pause' ? { upgrade: markPaused(cur, { now, expirySeconds: ctx.config.expirySeconds }), events: [pausedHere(now)] } : null,
    );
    if (paused.status === 'paused') return stepState(paused, ctx.config);
    u = paused;
  }
  if (!['running', 'pausing', 'paused'].includes(u.status)) return stepState(u, ctx.config);
  const cluster = await requireCluster(ctx.db, u.clusterId);
  const driver = await ctx.driverFor(cluster);
  const removed = await driver.deleteUpgradeJobs(u.id);
  // Remember where the cluster stands, also after a cancel, so the next start judges the right versions.
  const serverVersion = await driver.serverVersion();
  const oldestKubelet = oldestVersion((await driver.listNodes()).map((n) => n.kubeletVersion));
  // recorded before the upgrade ends, so whoever sees it ended reads the cluster's new versions (recording them twice is harmless)
  await setClusterVersion(
    ctx.db,
    u.clusterId,
    { version: serverVersion, oldestKubelet: oldestKubelet && !sameVersion(oldestKubelet, serverVersion) ? oldestKubelet : undefined },
    now,
  );
  let outcome = decideCleanup(u);
  const helpers = { at: now, type: 'HelpersRemoved', message: `removed ${removed} upgrade job(s) from namespace kube-upgrade` };
  // the end and its events in one write: a step cut short after it finds the upgrade done and tells nothing twice
  const ended = await updateUpgradeRecording(ctx.db, u.clusterId, u.id, (cur) => {
    if (cur.phase === 'done') return null;
    // decided on the stored item: a pause asked for while the helpers were removed stops it paused here; resumed, it ends
    outcome = decideCleanup(cur);
    if (outcome === 'pause') return { upgrade: markPaused(cur, { now, expirySeconds: ctx.config.expirySeconds }), events: [helpers, pausedHere(now)] };
    return {
      upgrade: { ...markFinished(cur, outcome, now), ...(outcome === 'succeeded' ? { advice: adviceAfterUpgrade(cur.precheck, cur.toVersion) } : {}) },
      events: [
        helpers,
        outcome === 'succeeded'
          ? { at: now, type: 'UpgradeSucceeded', message: `cluster upgraded to ${cur.toVersion}` }
          : {
              at: now,
              type: 'UpgradeCancelled',
              message: `upgrade cancelled; ${cur.nodes.upgraded} worker(s) and ${cur.masters.upgraded} master(s) stay upgraded`,
            },
      ],
    };
  });
  if (outcome === 'pause') {
    await keepLeaseWhilePaused(ctx, ended, driver);
    return stepState(ended, ctx.config);
  }
  await unlockCluster(ctx.db, u.clusterId, u.id, now);
  // the physical cluster is free again for whoever upgrades it next (a crash before this leaves a Lease that lapses)
  const released = await driver.releaseLease(leaseSelf(ctx, u));
  if (released)
    await recordEvents(ctx.db, ended, [{ at: now, type: 'LeaseReleased', message: 'the Lease kube-upgrade/kupgrade is released: the cluster is free' }]);
  return stepState(ended, ctx.config);
}

const pausedHere = (now: string): UpgradeEvent => ({ at: now, type: 'UpgradePaused', message: 'upgrade paused before cleanup at the request of a user' });
