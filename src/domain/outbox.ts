import type { Upgrade, UpgradeError } from './upgrade.js';

/**
 * Status-change notifications are delivered at least once: each change is
 * written into the upgrade item's outbox by the same single-item conditional
 * write that changes the status (dynalite has no Streams and no
 * transactions), and removed only once published. Each carries a stable id
 * (`<upgradeId>:<seq>`): a consumer that sees an id again drops it.
 */
export interface StatusChange {
  /** stable across deliveries: `<upgradeId>:<seq>`, seq counting this upgrade's status changes from 1 */
  id: string;
  clusterId: string;
  upgradeId: string;
  /** null when the upgrade was just created */
  from: string | null;
  to: string;
  phase: string;
  toVersion: string;
  error?: UpgradeError;
  at: string;
}

/**
 * The most changes kept undelivered on one item. An upgrade changes status a
 * handful of times per run; past this (a bus unreachable for many pauses and
 * resumes) the oldest undelivered change is dropped, counted in
 * `outboxDropped`, so the item never grows without bound.
 */
export const OUTBOX_LIMIT = 50;

/** `after` with the change from `before` in its outbox, when its status changed. */
export function withStatusChange(before: Upgrade | undefined, after: Upgrade): Upgrade {
  if (before && before.status === after.status) return after;
  const seq = (after.outboxSeq ?? 0) + 1;
  const change: StatusChange = {
    id: `${after.id}:${seq}`,
    clusterId: after.clusterId,
    upgradeId: after.id,
    from: before?.status ?? null,
    to: after.status,
    phase: after.phase,
    toVersion: after.toVersion,
    ...(after.error && after.status === 'paused' ? { error: after.error } : {}),
    at: after.updatedAt,
  };
  const kept = [...pendingChanges(after), change];
  const dropped = Math.max(0, kept.length - OUTBOX_LIMIT);
  const outbox = Object.fromEntries(kept.slice(dropped).map((c) => [c.id, c]));
  return { ...after, outbox, outboxSeq: seq, ...(dropped ? { outboxDropped: (after.outboxDropped ?? 0) + dropped } : {}) };
}

const seqOf = (id: string) => Number(id.slice(id.lastIndexOf(':') + 1));

/** The changes not delivered yet, oldest first. */
export function pendingChanges(u: Pick<Upgrade, 'outbox'>): StatusChange[] {
  return Object.values(u.outbox ?? {}).sort((a, b) => seqOf(a.id) - seqOf(b.id));
}
