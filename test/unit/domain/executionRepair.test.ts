import { describe, expect, it } from '@jest/globals';
import { decideRepair, executionsToLook, repairName } from '../../../src/domain/executionRepair.js';

const at = '2025-06-07T10:00:00.000Z';
const later = '2025-06-07T10:10:00.000Z';
const base = { id: 'upg-1', status: 'running' as const, phase: 'nodes' as const, cancelRequested: false, executions: 1, updatedAt: at };

describe('decideRepair: which upgrades the sweep starts again', () => {
  it.each([
    ['a start that never reached Step Functions', base, {}, { kind: 'start', name: 'upg-1' }],
    ['a resume whose start crashed', { ...base, executions: 3, execution: 'upg-1' }, { 'upg-1': 'SUCCEEDED' }, { kind: 'start', name: 'upg-1-run3' }],
    ['an execution that ended without ending the upgrade', { ...base, execution: 'upg-1' }, { 'upg-1': 'ABORTED' }, { kind: 'start', name: 'upg-1-r1' }],
    ['a repair that ended too', { ...base, execution: 'upg-1-r1' }, { 'upg-1': 'FAILED', 'upg-1-r1': 'FAILED' }, { kind: 'start', name: 'upg-1-r2' }],
    ['a live execution', { ...base, execution: 'upg-1' }, { 'upg-1': 'RUNNING' }, { kind: 'none', why: 'running' }],
    ['a continuation not recorded yet', { ...base, execution: 'upg-1' }, { 'upg-1': 'SUCCEEDED', 'upg-1-c1': 'RUNNING' }, { kind: 'none', why: 'running' }],
    ['a racing sweep’s repair', { ...base, execution: 'upg-1' }, { 'upg-1': 'ABORTED', 'upg-1-r1': 'RUNNING' }, { kind: 'none', why: 'running' }],
    ['a paused upgrade', { ...base, status: 'paused' as const }, {}, { kind: 'none', why: 'no-execution-needed' }],
    [
      'a cancel of a paused upgrade whose start crashed',
      { ...base, status: 'paused' as const, cancelRequested: true, executions: 2 },
      { 'upg-1': 'SUCCEEDED' },
      { kind: 'start', name: 'upg-1-run2' },
    ],
    ['an ended upgrade', { ...base, status: 'succeeded' as const, phase: 'done' as const }, {}, { kind: 'none', why: 'no-execution-needed' }],
  ])('%s', (_what, u, statuses, expected) => {
    expect(decideRepair(u, statuses, later)).toEqual(expected);
  });

  it('leaves an upgrade written less than the grace ago alone: its start may be in flight', () => {
    expect(decideRepair(base, {}, '2025-06-07T10:01:00.000Z')).toEqual({ kind: 'none', why: 'recent' });
  });

  it('pauses when a repair was started and ended without entering the upgrade', () => {
    const d = decideRepair({ ...base, execution: 'upg-1' }, { 'upg-1': 'ABORTED', 'upg-1-r1': 'FAILED' }, later);
    expect(d).toMatchObject({ kind: 'pause', error: { reason: 'ExecutionLost' } });
  });

  it('looks at every name a live execution may have', () => {
    expect(executionsToLook({ id: 'upg-1', executions: 2, execution: 'upg-1' })).toEqual(
      expect.arrayContaining(['upg-1-run2', 'upg-1-run2-c1', 'upg-1-r1', 'upg-1', 'upg-1-c1']),
    );
    expect(repairName('upg-1-run2-r9')).toBe('upg-1-run2-r10');
  });
});
