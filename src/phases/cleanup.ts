import { adviceAfterUpgrade } from '../domain/advice.js';
import { finishUpgrade, pauseUpgrade } from '../domain/upgradeLifecycle.js';
import type { Upgrade } from '../domain/upgrade.js';
import { oldestVersion, sameVersion } from '../domain/versions.js';
import { requireCluster, setClusterVersion, unlockCluster } from '../store/clusters.js';
import { requireUpgrade, updateUpgrade } from '../store/upgrades.js';
import type { PhaseContext, StepState } from './context.js';
import { recordEvents } from './recordEvents.js';
import { stepState } from './stepState.js';

/**
 * Removes kupgrade's helpers from the cluster, then ends the upgrade
 * (succeeded, or cancelled when a cancel brought it here) and frees the
 * cluster. Ending first and unlocking second is safe: a lock held by an
 * ended upgrade is released by the next start.
 */
export async function runCleanup(ctx: PhaseContext, input: { clusterId: string; upgradeId: string }): Promise<StepState> {
  let u = await requireUpgrade(ctx.db, input.clusterId, input.upgradeId);
  if (u.phase !== 'cleanup') return stepState(u, ctx.config);
  const now = ctx.now();
  if (u.pauseRequested && !u.cancelRequested) {
    // A cancel written since `u` was read wins: no pause, the upgrade ends cancelled below.
    const paused = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => (cur.cancelRequested ? null : pauseUpgrade(cur, { now, expirySeconds: ctx.config.expirySeconds })));
    if (!paused.cancelRequested) {
      await recordEvents(ctx.db, paused, [{ at: now, type: 'UpgradePaused', message: 'upgrade paused before cleanup at the request of a user' }]);
      return stepState(paused, ctx.config);
    }
    u = paused;
  }
  if (!['running', 'pausing', 'paused'].includes(u.status)) return stepState(u, ctx.config);
  const cluster = await requireCluster(ctx.db, u.clusterId);
  const driver = await ctx.driverFor(cluster);
  const removed = await driver.deleteUpgradeJobs(u.id);
  const outcome = u.cancelRequested ? 'cancelled' : 'succeeded';
  // Remember where the cluster stands, also after a cancel, so the next start judges the right versions.
  const serverVersion = await driver.serverVersion();
  const oldestKubelet = oldestVersion((await driver.listNodes()).map((n) => n.kubeletVersion));
  const ended = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur): Upgrade | null =>
    cur.phase === 'done' ? null : { ...finishUpgrade(cur, outcome, now), ...(outcome === 'succeeded' ? { advice: adviceAfterUpgrade(cur.precheck, cur.toVersion) } : {}) },
  );
  await setClusterVersion(ctx.db, u.clusterId, { version: serverVersion, oldestKubelet: oldestKubelet && !sameVersion(oldestKubelet, serverVersion) ? oldestKubelet : undefined }, now);
  await unlockCluster(ctx.db, u.clusterId, u.id, now);
  await recordEvents(ctx.db, ended, [
    { at: now, type: 'HelpersRemoved', message: `removed ${removed} upgrade job(s) from namespace kube-upgrade` },
    outcome === 'succeeded'
      ? { at: now, type: 'UpgradeSucceeded', message: `cluster upgraded to ${u.toVersion}` }
      : { at: now, type: 'UpgradeCancelled', message: `upgrade cancelled; ${u.nodes.upgraded} worker(s) and ${u.masters.upgraded} master(s) stay upgraded` },
  ]);
  return stepState(ended, ctx.config);
}
