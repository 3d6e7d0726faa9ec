import { clusterLeasedError, decideLease, describeHolder, leaseDurationFor, type LeaseSelf } from '../domain/clusterLease.js';
import { ConflictError } from '../domain/errors.js';
import type { Upgrade, UpgradeError, UpgradeEvent } from '../domain/upgrade.js';
import { markPaused } from '../domain/upgradeLifecycle.js';
import { isTerminal } from '../domain/upgradeStatus.js';
import { isExpired } from '../domain/expiry.js';
import type { ClusterDriver } from '../kube/clusterDriver.js';
import { getUpgrade, updateUpgrade, updateUpgradeRecording } from '../store/upgrades.js';
import type { PhaseContext } from './context.js';
import { recordEvents } from './recordEvents.js';

export const leaseSelf = (ctx: PhaseContext, u: Pick<Upgrade, 'id' | 'clusterId'>): LeaseSelf => ({
  installation: ctx.config.installation,
  upgradeId: u.id,
  clusterId: u.clusterId,
});

/**
 * Takes or renews the Lease in the cluster before a step changes anything
 * (src/domain/clusterLease.ts decides). A live foreign holder is refused: the
 * step touches nothing and the upgrade pauses naming it. A Lease lapsed past
 * its duration is taken over, and that is recorded.
 */
export async function holdLease(
  ctx: PhaseContext,
  u: Upgrade,
  driver: ClusterDriver,
): Promise<{ held: true; takenFrom?: string } | { held: false; error: UpgradeError }> {
  const self = leaseSelf(ctx, u);
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = ctx.now();
    const lease = await driver.readLease();
    const durationSeconds = leaseDurationFor(u, now, ctx.config.leaseSeconds);
    const decision = decideLease(lease, self, now, durationSeconds);
    if (decision.kind === 'refuse') return { held: false, error: clusterLeasedError(decision.holder, decision.liveUntil) };
    if (decision.kind === 'keep') return { held: true };
    const wrote = await driver.writeLease({ self, durationSeconds, now, ...(lease ? { previous: lease } : {}) });
    if (!wrote) continue; // another writer got there first: read it again, decide again
    const events: UpgradeEvent[] = [];
    if (decision.kind === 'take') {
      events.push({
        at: now,
        type: 'LeaseTaken',
        message: `this upgrade holds the cluster: Lease kube-upgrade/kupgrade, read at every step and renewed while it runs`,
      });
    } else if (decision.kind === 'takeOver') {
      events.push({
        at: now,
        type: 'LeaseTakenOver',
        message: `the Lease kube-upgrade/kupgrade of ${describeHolder(decision.from)} lapsed (last renewed ${decision.from.renewTime ?? 'never'}): this upgrade took it over`,
      });
      const from = decision.from.upgradeId;
      if (from) {
        await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) =>
          (cur.leaseTakenFrom ?? []).includes(from) ? null : { ...cur, leaseTakenFrom: [...(cur.leaseTakenFrom ?? []), from], updatedAt: now },
        );
      }
    }
    if (events.length) await recordEvents(ctx.db, u, events);
    return decision.kind === 'takeOver' && decision.from.upgradeId ? { held: true, takenFrom: decision.from.upgradeId } : { held: true };
  }
  throw new ConflictError('the Lease kube-upgrade/kupgrade kept changing while this upgrade tried to take it', 'the step is retried');
}

/**
 * Another upgrade holds the cluster: this one pauses with it named. Like a
 * fault, it outranks a cancel in progress (a cancel would change the cluster
 * too): the cancel stops, to be asked again once the cluster is free.
 */
export async function pauseForLease(ctx: PhaseContext, u: Upgrade, error: UpgradeError): Promise<Upgrade> {
  const now = ctx.now();
  return updateUpgradeRecording(ctx.db, u.clusterId, u.id, (cur) =>
    isTerminal(cur.status)
      ? null
      : {
          upgrade: { ...markPaused(cur, { now, expirySeconds: ctx.config.expirySeconds, error }), cancelRequested: false },
          events: [{ at: now, type: 'UpgradePaused', message: `upgrade paused: ${error.message}` }],
        },
  );
}

/** A paused upgrade keeps the cluster (and the nodes it holds cordoned) until its expiry: its Lease runs that long. Best effort: the cluster may be the reason it paused. */
export async function keepLeaseWhilePaused(ctx: PhaseContext, u: Upgrade, driver: ClusterDriver): Promise<void> {
  if (u.status !== 'paused') return;
  try {
    const lease = await driver.readLease();
    if (!lease || decideLease(lease, leaseSelf(ctx, u), ctx.now()).kind !== 'renew') return;
    await driver.writeLease({
      self: leaseSelf(ctx, u),
      durationSeconds: leaseDurationFor(u, ctx.now(), ctx.config.leaseSeconds),
      now: ctx.now(),
      previous: lease,
    });
  } catch {
    // the next step (a resume) renews it, or takes it again
  }
}

/** Whose cordon this upgrade may take over: one of an upgrade of this cluster that has ended, or of an upgrade whose lapsed Lease it took over. */
export function adoptableCordon(ctx: PhaseContext, u: Upgrade): (holder: string) => Promise<boolean> {
  return async (holder) => {
    if ((u.leaseTakenFrom ?? []).includes(holder)) return true;
    const other = await getUpgrade(ctx.db, u.clusterId, holder);
    return !!other && (isTerminal(other.status) || isExpired(other, ctx.now()));
  };
}
