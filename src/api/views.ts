import type { z } from 'zod';
import type { NodeView } from '../clusters/clusterReader.js';
import { availableUpgrades } from '../domain/catalog.js';
import type { Batch, Upgrade } from '../domain/upgrade.js';
import { isActive } from '../domain/upgradeStatus.js';
import { effectiveStatus, isExpired } from '../domain/expiry.js';
import type { Check } from '../store/checks.js';
import type { Cluster } from '../store/clusters.js';
import type { CheckSchema, ClusterSchema, UpgradeSchema } from './schemas.js';

/** Stored items as API.md shows them: no keys, no bookkeeping, times as ISO strings, absent fields as null. */

export function clusterView(c: Cluster, active: Upgrade | undefined, now = new Date().toISOString()): z.infer<typeof ClusterSchema> {
  return {
    id: c.id,
    name: c.name,
    version: c.version,
    availableUpgrades: availableUpgrades({ serverVersion: c.version, oldestKubelet: c.oldestKubelet }),
    upgrade: active && isActive(effectiveStatus(active, now)) ? { id: active.id, status: effectiveStatus(active, now), phase: active.phase } : null,
    maintenanceWindow: c.maintenanceWindow ?? null,
    createdAt: c.createdAt,
  };
}

export function clusterDetailView(c: Cluster, active: Upgrade | undefined, nodes: { nodes: NodeView[]; error?: string }) {
  return { ...clusterView(c, active), nodes: nodes.nodes, ...(nodes.error ? { nodesError: nodes.error } : {}) };
}

/** An upgrade paused past its expiry reads as expired even before a closer gets to it (TTL deletion lags). */
export function upgradeView(u: Upgrade, batches: readonly Batch[], now = new Date().toISOString()): z.infer<typeof UpgradeSchema> {
  const expired = isExpired(u, now);
  return {
    id: u.id,
    clusterId: u.clusterId,
    fromVersion: u.fromVersion,
    toVersion: u.toVersion,
    status: effectiveStatus(u, now),
    phase: expired ? 'done' : u.phase,
    precheck: u.precheck ?? null,
    masters: { total: u.masters.total, upgraded: u.masters.upgraded, current: u.masters.current },
    nodes: { total: u.nodes.total, upgraded: u.nodes.upgraded },
    batches: batches
      .filter((b) => b.kind === 'worker')
      .sort((a, b) => a.index - b.index)
      .map((b) => ({ index: b.index, size: b.nodes.length, nodes: b.nodes.map((n) => n.name), status: b.status })),
    error: u.error ? { reason: u.error.reason, message: u.error.message, ...(u.error.remedy ? { remedy: u.error.remedy } : {}), ...(u.error.node ? { node: u.error.node } : {}) } : null,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    pausedAt: u.pausedAt ?? null,
    // stored as epoch seconds (the table's TTL attribute)
    expiresAt: u.expiresAt === undefined ? null : new Date(u.expiresAt * 1000).toISOString(),
    scheduledAt: u.scheduledAt ?? null,
    plan: u.plan ?? null,
    waitingForWindow: u.waitingForWindow ?? null,
    advice: u.advice ?? [],
  };
}

export function checkView(c: Check): z.infer<typeof CheckSchema> {
  return {
    id: c.id,
    clusterId: c.clusterId,
    targetVersion: c.targetVersion,
    status: c.report.status,
    results: c.report.results,
    ...(c.report.plan ? { plan: c.report.plan } : {}),
    ...(c.error ? { error: c.error } : {}),
    createdAt: c.createdAt,
    ...(c.finishedAt ? { finishedAt: c.finishedAt } : {}),
  };
}
