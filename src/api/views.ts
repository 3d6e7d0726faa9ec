import type * as z from 'zod';
import type { NodeView } from '../registration/clusterReader.js';
import { acceptedActions } from '../domain/actions.js';
import { availableUpgrades, versionChoices } from '../domain/catalog.js';
import type { NodeWait } from '../domain/nodeWait.js';
import type { Batch, CheckReport, Upgrade, UpgradePlan } from '../domain/upgrade.js';
import { isActive } from '../domain/upgradeStatus.js';
import { effectiveStatus, isExpired } from '../domain/expiry.js';
import type { CheckRun } from '../store/checks.js';
import type { Cluster } from '../store/clusters.js';
import type { CheckSchema, ClusterDetailSchema, ClusterSchema, UpgradeSchema } from './schemas.js';

/** Stored items as docs/API.md shows them: no keys, no bookkeeping, times as ISO strings, absent fields as null. */

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

export function clusterDetailView(c: Cluster, active: Upgrade | undefined, nodes: { nodes: NodeView[]; error?: string }): z.infer<typeof ClusterDetailSchema> {
  return {
    ...clusterView(c, active),
    nodes: nodes.nodes.map((n) => ({ ...n, cordonedBy: n.cordonedBy ?? null })),
    versions: versionChoices({ serverVersion: c.version, oldestKubelet: c.oldestKubelet }),
    ...(nodes.error ? { nodesError: nodes.error } : {}),
  };
}

/** An upgrade paused past its expiry reads as expired even before a closer gets to it (TTL deletion lags). */
/** The plans an upgrade view shows, read from their pages: what has not started, and what the precheck planned. */
export interface UpgradePlans {
  current?: UpgradePlan;
  precheck?: UpgradePlan;
}

export function upgradeView(u: Upgrade, batches: readonly Batch[], plans: UpgradePlans = {}, now = new Date().toISOString()): z.infer<typeof UpgradeSchema> {
  const expired = isExpired(u, now);
  const workerBatches = batches.filter((b) => b.kind === 'worker').sort((a, b) => a.index - b.index);
  const current = u.currentBatch === null ? undefined : batches.find((b) => b.number === u.currentBatch);
  return {
    id: u.id,
    clusterId: u.clusterId,
    fromVersion: u.fromVersion,
    toVersion: u.toVersion,
    status: effectiveStatus(u, now),
    phase: expired ? 'done' : u.phase,
    precheck: u.precheck ? reportView(u.precheck, plans.precheck) : null,
    masters: {
      total: u.masters.total,
      upgraded: u.masters.upgraded,
      current: u.masters.current,
      currentName: u.masters.current ? (u.masters.order[u.masters.current - 1] ?? null) : null,
    },
    nodes: { total: u.nodes.total, upgraded: u.nodes.upgraded },
    batches: workerBatches.map((b, i) => ({
      index: b.index,
      size: b.nodes.length,
      nodes: b.nodes.map((n) => n.name),
      status: b.status,
      startedAt: b.startedAt,
      endedAt: b.finishedAt ?? null,
      rampRestart: i > 0 && b.execution !== undefined && b.execution !== workerBatches[i - 1]!.execution,
    })),
    currentBatch: current
      ? {
          kind: current.kind,
          index: current.index,
          startedAt: current.startedAt,
          nodes: current.nodes.map((n) => ({
            name: n.name,
            role: n.role,
            step: n.step,
            since: n.since ?? null,
            waitingFor: n.waitingFor ? waitView(n.waitingFor) : null,
          })),
        }
      : null,
    error: u.error
      ? {
          reason: u.error.reason,
          message: u.error.message,
          ...(u.error.remedy ? { remedy: u.error.remedy } : {}),
          ...(u.error.node ? { node: u.error.node } : {}),
          // a paused upgrade is still in the phase it stopped in
          ...(u.error.phase || u.phase !== 'done' ? { phase: u.error.phase ?? u.phase } : {}),
        }
      : null,
    cancelRequested: u.cancelRequested,
    execution: u.execution ?? null,
    continuations: u.continuations ?? 0,
    actions: expired ? { pause: false, resume: false, cancel: false } : acceptedActions(u, now),
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    startedAt: u.startedAt ?? null,
    endedAt: u.endedAt ?? null,
    pausedAt: u.pausedAt ?? null,
    // stored as epoch seconds (the table's TTL attribute)
    expiresAt: u.expiresAt === undefined ? null : new Date(u.expiresAt * 1000).toISOString(),
    scheduledAt: u.scheduledAt ?? null,
    plan: plans.current ?? null,
    waitingFor: u.waitingFor ?? null,
    advice: u.advice ?? [],
  };
}

/** A stored report as the API shows it: the plan from its pages, not the summary. */
function reportView(r: CheckReport, plan: UpgradePlan | undefined) {
  const { planSummary: _s, plan: _p, ...rest } = r;
  return { ...rest, ...(plan ? { plan } : {}) };
}

export function checkView(c: CheckRun, plan?: UpgradePlan): z.infer<typeof CheckSchema> {
  return {
    id: c.id,
    clusterId: c.clusterId,
    targetVersion: c.targetVersion,
    status: c.report.status,
    results: c.report.results,
    ...(plan ? { plan } : {}),
    ...(c.error ? { error: c.error } : {}),
    createdAt: c.createdAt,
    ...(c.finishedAt ? { finishedAt: c.finishedAt } : {}),
  };
}

/** A node's wait as the API shows it: without the bookkeeping of whether it was told. */
function waitView({ announced: _a, ...wait }: NodeWait) {
  return wait;
}
