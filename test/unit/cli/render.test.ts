import { describe, expect, it } from '@jest/globals';
import type { Upgrade } from '../../../src/client/apiClient.js';
import { ChangeLines } from '../../../cli/render/changes.js';
import { checkReport } from '../../../cli/render/check.js';
import { workersEta } from '../../../cli/render/progress.js';
import { statusReport } from '../../../cli/render/status.js';
import { table } from '../../../cli/render/table.js';

const NOW = Date.parse('2025-06-07T10:10:00Z');
const at = (secondsBefore: number) => new Date(NOW - secondsBefore * 1000).toISOString();

/** An upgrade of 120 workers in its sixth batch: five batches of 1, 2, 4, 8, 12 done in 5 minutes. */
function upgrade(overrides: Partial<Upgrade> = {}): Upgrade {
  const sizes = [1, 2, 4, 8, 12];
  return {
    id: 'upg-1',
    clusterId: 'prod',
    fromVersion: '1.31.4',
    toVersion: '1.32.6',
    status: 'running',
    phase: 'nodes',
    precheck: { status: 'passed', results: [{ name: 'bare-pods', status: 'warn', message: 'm', remedy: 'r' }] },
    masters: { total: 3, upgraded: 3, current: null, currentName: null },
    nodes: { total: 120, upgraded: 27 },
    batches: [
      ...sizes.map((size, i) => ({
        index: i + 1,
        size,
        nodes: [],
        status: 'done' as const,
        startedAt: at(360 - i * 60),
        endedAt: at(300 - i * 60),
        rampRestart: false,
      })),
      { index: 6, size: 12, nodes: [], status: 'running', startedAt: at(40), endedAt: null, rampRestart: false },
    ],
    currentBatch: {
      kind: 'worker',
      index: 6,
      startedAt: at(40),
      nodes: [
        {
          name: 'worker-3',
          role: 'worker',
          step: 'draining',
          since: at(12),
          waitingFor: {
            reason: 'DrainBlocked',
            message: 'the budget allows 0 disruptions',
            object: 'poddisruptionbudget/default/web',
            since: at(12),
            deadline: '2025-06-07T10:40:00.000Z',
          },
        },
        { name: 'worker-9', role: 'worker', step: 'upgrading', since: at(3), waitingFor: null },
      ],
    },
    error: null,
    cancelRequested: false,
    actions: { pause: true, resume: false, cancel: false },
    createdAt: at(600),
    updatedAt: at(1),
    startedAt: at(540),
    endedAt: null,
    pausedAt: null,
    expiresAt: null,
    scheduledAt: null,
    plan: { masters: ['master-1', 'master-2', 'master-3'], batches: Array.from({ length: 7 }, () => Array.from({ length: 12 }, (_, i) => `w${i}`)) },
    waitingFor: null,
    advice: [],
    execution: 'upg-1',
    continuations: 0,
    ...overrides,
  };
}

describe('statusReport', () => {
  it('lays out the control plane, the workers with their bar, batches and ETA, the batch in flight node by node, and health', () => {
    expect(statusReport(upgrade(), NOW)).toBe(
      [
        'Upgrade upg-1 of prod: 1.31.4 → 1.32.6, running (nodes), started 9m ago',
        '',
        '= Control plane =',
        'Assessment:  Completed',
        'Completion:  3 of 3 masters at 1.32.6',
        '',
        '= Workers =',
        'Progress:  [#######-----------------------] 27/120 (22%)',
        'Batches:   5 of 13 done (1, 2, 4, 8, 12 nodes); batch 6 running (12 nodes); next: 12, 12, 12, 12, 12, 12, 12',
        'ETA:       about 7m 20s (2025-06-07 10:17:20Z)',
        '',
        '= Current batch: workers, batch 6 of 13, started 40s ago =',
        'NODE       ROLE     STEP        ELAPSED   WAITING FOR',
        'worker-3   worker   draining    12s       DrainBlocked poddisruptionbudget/default/web: the budget allows 0 disruptions (pauses in 30m, 2025-06-07 10:40:00Z)',
        'worker-9   worker   upgrading   3s        -',
        '',
        '= Health =',
        'Status:    running (nodes)',
        'Precheck:  passed, 1 warning: bare-pods',
        'Can:       kupgrade pause prod',
      ].join('\n'),
    );
  });

  it('shows the master in flight as "master 2 of 3", and an error with its remedy and the expiry of the pause', () => {
    const u = upgrade({
      status: 'paused',
      phase: 'masters',
      masters: { total: 3, upgraded: 1, current: 2, currentName: 'master-2' },
      nodes: { total: 120, upgraded: 0 },
      batches: [],
      currentBatch: null,
      error: { reason: 'NodeUpgradeFailed', message: 'the upgrade Job failed', remedy: 'read its logs, then resume', node: 'master-2', phase: 'masters' },
      pausedAt: at(60),
      expiresAt: '2025-06-22T10:09:00.000Z',
      actions: { pause: false, resume: true, cancel: true },
    });
    const report = statusReport(u, NOW);
    expect(report).toContain('= Control plane =\nAssessment:  Stopped (paused)\nCompletion:  1 of 3 masters at 1.32.6\nUpdating:    master 2 of 3 (master-2)');
    expect(report).toContain(
      [
        '= Health =',
        'Status:    paused by an error (masters)',
        'Error:     NodeUpgradeFailed on master-2: the upgrade Job failed',
        'Remedy:    read its logs, then resume',
        'Expires:   2025-06-22 10:09:00Z (in 14d 23h) unless resumed: then it is closed and the cluster freed',
        'Precheck:  passed, 1 warning: bare-pods',
        'Can:       kupgrade resume prod, kupgrade cancel prod',
      ].join('\n'),
    );
    expect(report).not.toContain('ETA');
  });
});

describe('workersEta', () => {
  it('is the pace of the finished batches times the batches left, less what the one in flight has run', () => {
    // 5 batches in 5 minutes (60 s each); 8 left including the one in flight, which has run 40 s
    expect(workersEta(upgrade(), NOW)).toBe(8 * 60_000 - 40_000);
  });
  it('is unknown before a batch has finished, and for an upgrade that is not moving', () => {
    expect(workersEta(upgrade({ batches: upgrade().batches.slice(5) }), NOW)).toBeUndefined();
    expect(workersEta(upgrade({ status: 'paused' }), NOW)).toBeUndefined();
  });
});

describe('ChangeLines', () => {
  it('gives each fact once, and again only when it changes', () => {
    const lines = new ChangeLines();
    const first = lines.next(upgrade(), NOW);
    expect(first).toEqual([
      'running (nodes)',
      'masters 3/3',
      'workers 27/120 (22%)',
      'batch 6 started: worker-3, worker-9',
      'worker-3 draining, waiting for DrainBlocked poddisruptionbudget/default/web: the budget allows 0 disruptions',
      'worker-9 upgrading',
    ]);
    // a later look at the same upgrade: the elapsed times moved, nothing else
    expect(lines.next(upgrade(), NOW + 5000)).toEqual([]);
    const moved = upgrade();
    moved.nodes.upgraded = 28;
    moved.currentBatch!.nodes[1]!.step = 'done';
    expect(lines.next(moved, NOW + 6000)).toEqual(['workers 28/120 (23%)', 'worker-9 done']);
  });

  it('says nothing of the counts before the precheck has read the cluster', () => {
    const fresh = upgrade({
      phase: 'precheck',
      masters: { total: 0, upgraded: 0, current: null, currentName: null },
      nodes: { total: 0, upgraded: 0 },
      currentBatch: null,
    });
    expect(new ChangeLines().next(fresh, NOW)).toEqual(['running (precheck)']);
  });
});

describe('checkReport', () => {
  it('puts a remedy under each check that did not pass, and the plan after', () => {
    const report = checkReport({
      clusterId: 'prod',
      targetVersion: '1.32.6',
      status: 'failed',
      results: [
        { name: 'api-server', status: 'pass', message: 'ready', remedy: 'none' },
        { name: 'pdb-blockers', status: 'fail', message: 'default/web allows no disruption', remedy: 'allow one' },
      ],
      plan: { masters: ['m1', 'm2'], batches: [['w1'], ['w2', 'w3']] },
    });
    expect(report).toBe(
      [
        'Upgrade check of prod for 1.32.6: failed (1 passed, 0 warnings, 1 failed)',
        '',
        '  [pass] api-server    ready',
        '  [fail] pdb-blockers  default/web allows no disruption',
        '                       remedy: allow one',
        '',
        'Plan:',
        '  masters, one at a time: m1 → m2',
        '  workers: 3 in 2 batches of 1, 2',
        '    batch 1: w1',
        '    batch 2: w2, w3',
      ].join('\n'),
    );
  });
});

describe('table', () => {
  it('aligns columns three spaces apart and leaves the last one unpadded', () => {
    expect(
      table(
        ['A', 'LONGER'],
        [
          ['xyz', '1'],
          ['x', '22'],
        ],
      ),
    ).toBe('A     LONGER\nxyz   1\nx     22');
  });
});
