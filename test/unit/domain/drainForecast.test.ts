import { describe, expect, it } from '@jest/globals';
import { forecastDrain, nextBatchOf, type ForecastPod } from '../../../src/domain/drainForecast.js';
import type { Upgrade } from '../../../src/domain/upgrade.js';
import type { SnapshotPdb } from '../../../src/domain/clusterSnapshot.js';

const pod = (name: string, node: string, extra: Partial<ForecastPod> = {}): ForecastPod => ({
  namespace: 'web',
  name,
  node,
  labels: { app: 'web' },
  owner: 'ReplicaSet/web-1',
  moves: true,
  ...extra,
});
const pdb = (name: string, disruptionsAllowed: number, app = 'web'): SnapshotPdb => ({
  namespace: 'web',
  name,
  selector: { matchLabels: { app } },
  disruptionsAllowed,
});
const batch = { phase: 'nodes' as const, number: 3, nodes: ['w-1', 'w-2'] };

describe('forecastDrain', () => {
  it('keeps the pods of the batch and names the budgets allowing 0 disruptions that select pods that move', () => {
    const pods = [
      pod('a', 'w-1'),
      pod('ds', 'w-2', { owner: 'DaemonSet/agent', moves: false, labels: { app: 'agent' } }),
      pod('elsewhere', 'w-9'),
      pod('b', 'w-2', { namespace: 'other' }),
    ];
    const f = forecastDrain(batch, pods, [pdb('zero', 0), pdb('one', 1), pdb('agents', 0, 'agent'), pdb('nobody', 0, 'none')]);

    expect(f.pods.map((p) => `${p.node}:${p.namespace}/${p.name}:${p.moves}`)).toEqual(['w-1:web/a:true', 'w-2:other/b:true', 'w-2:web/ds:false']);
    expect(f.pods[0]).not.toHaveProperty('labels');
    // 'one' allows a disruption; 'agents' selects only a pod that stays; 'nobody' selects nothing; 'zero' does not reach namespace other
    expect(f.blockingBudgets).toEqual([{ namespace: 'web', name: 'zero', allowedDisruptions: 0, pods: ['web/a'] }]);
  });

  it('forecasts nothing when no batch is left', () => {
    expect(forecastDrain(null, [pod('a', 'w-1')], [pdb('zero', 0)])).toEqual({ batch: null, pods: [], blockingBudgets: [] });
  });
});

describe('nextBatchOf', () => {
  const base: Upgrade = {
    id: 'upg-1',
    clusterId: 'c',
    fromVersion: '1.31.4',
    toVersion: '1.32.6',
    status: 'running',
    phase: 'masters',
    pauseRequested: false,
    cancelRequested: false,
    masters: { total: 3, upgraded: 1, current: 1, order: ['m-1', 'm-2', 'm-3'] },
    nodes: { total: 40, upgraded: 0 },
    workerCount: 40,
    rampIndex: 0,
    batchSeq: 2,
    workerBatches: 0,
    currentBatch: 2,
    retryFirst: [],
    planSummary: { rev: 1, pages: 1, masters: ['m-1', 'm-2', 'm-3'], batchSizes: [1, 2, 4], next: ['w-7'] },
    executions: 1,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    version: 3,
  };

  it('is the master after the one in flight, then the first worker batch', () => {
    expect(nextBatchOf(base)).toEqual({ phase: 'masters', number: 3, nodes: ['m-3'] });
    expect(nextBatchOf({ ...base, masters: { ...base.masters, upgraded: 2 } })).toEqual({ phase: 'nodes', number: 1, nodes: ['w-7'] });
  });

  it('while workers run, the planned next batch; paused, the one node a resume starts, failed nodes first', () => {
    const nodes = { ...base, phase: 'nodes' as const, masters: { ...base.masters, upgraded: 3, current: null }, workerBatches: 3, rampIndex: 3 };
    expect(nextBatchOf({ ...nodes, planSummary: { ...base.planSummary!, next: ['w-1', 'w-2', 'w-3', 'w-4'] } })).toEqual({
      phase: 'nodes',
      number: 4,
      nodes: ['w-1', 'w-2', 'w-3', 'w-4'],
    });
    // paused: chosen from the nodes as they are now, as the resume's boundary will: failed nodes first, one node
    const live = (versions: Record<string, string>) =>
      Object.entries(versions).map(([name, kubeletVersion]) => ({
        name,
        role: name.startsWith('m-') ? ('master' as const) : ('worker' as const),
        kubeletVersion,
        unschedulable: false,
        annotations: {},
      }));
    const paused = { ...nodes, status: 'paused' as const, currentBatch: null, planSummary: { ...base.planSummary!, next: ['w-1', 'w-2'] } };
    expect(nextBatchOf({ ...paused, retryFirst: ['w-9'] }, live({ 'm-1': '1.32.6', 'w-1': '1.31.4', 'w-9': '1.31.4' }))).toEqual({
      phase: 'nodes',
      number: 4,
      nodes: ['w-9'],
    });
    // a node the pause left unstarted is still to do, though the plan had moved past it; nodes at the target are not
    expect(nextBatchOf(paused, live({ 'w-1': '1.32.6', 'w-2': '1.32.6', 'w-5': '1.31.4' }))).toEqual({ phase: 'nodes', number: 4, nodes: ['w-5'] });
    // a master left to do comes first
    expect(nextBatchOf({ ...paused, phase: 'masters' }, live({ 'm-1': '1.32.6', 'm-2': '1.31.4', 'w-1': '1.31.4' }))).toEqual({
      phase: 'masters',
      number: 2,
      nodes: ['m-2'],
    });
  });

  it('is null once ended or cleaning up', () => {
    expect(nextBatchOf({ ...base, status: 'succeeded', phase: 'done' })).toBeNull();
    expect(nextBatchOf({ ...base, phase: 'cleanup' })).toBeNull();
  });
});
