import type { Upgrade } from '../domain/upgrade.js';

/** A fresh upgrade item, before its precheck has read the cluster. */
export function newUpgrade(args: { id: string; clusterId: string; fromVersion: string; toVersion: string; now: string; startAt?: string }): Upgrade {
  return {
    id: args.id,
    clusterId: args.clusterId,
    fromVersion: args.fromVersion,
    toVersion: args.toVersion,
    status: args.startAt ? 'scheduled' : 'running',
    ...(args.startAt ? { scheduledAt: new Date(args.startAt).toISOString() } : {}),
    phase: 'precheck',
    pauseRequested: false,
    cancelRequested: false,
    masters: { total: 0, upgraded: 0, current: null, order: [] },
    nodes: { total: 0, upgraded: 0 },
    workerCount: 0,
    rampIndex: 0,
    batchSeq: 0,
    workerBatches: 0,
    currentBatch: null,
    retryFirst: [],
    executions: 1,
    createdAt: args.now,
    updatedAt: args.now,
    version: 1,
  };
}
