import { describe, expect, it } from '@jest/globals';
import type { NodeInfo } from '../../../src/domain/clusterSnapshot.js';
import { firstHold, GATES, type GateInput } from '../../../src/domain/gates.js';

const T0 = '2026-11-25T12:00:00.000Z'; // a Wednesday
const node = (name: string, over: Partial<NodeInfo> = {}): NodeInfo => ({
  name,
  role: 'worker',
  kubeletVersion: '1.30.4',
  ready: true,
  unschedulable: false,
  labels: {},
  annotations: {},
  createdAt: '2026-11-01T00:00:00.000Z',
  ...over,
});
const input = (over: Partial<GateInput> = {}): GateInput => ({
  upgrade: { id: 'upg-1', startedAt: T0, createdAt: T0 },
  kind: 'worker',
  nextBatch: ['w1'],
  nodes: [node('w1'), node('w2'), node('w3')],
  now: T0,
  ...over,
});
const weekend = { days: ['sat' as const, 'sun' as const], start: '01:00', end: '05:00', timeZone: 'UTC' };

/** One table per gate: each row is a situation and whether the gate holds (with its reason). Adding a gate adds its rows here. */
const TABLE: Record<string, [string, Partial<GateInput>, string | undefined][]> = {
  'maintenance-window': [
    ['no window', {}, undefined],
    ['outside the window', { maintenanceWindow: weekend }, 'MaintenanceWindow'],
    ['inside the window', { maintenanceWindow: weekend, now: '2026-11-28T02:00:00.000Z' }, undefined],
    ['a master batch outside the window (only worker batches wait for it)', { kind: 'master', maintenanceWindow: weekend }, undefined],
  ],
  'nodes-ready': [
    ['every node Ready', {}, undefined],
    ['a node outside the batch not Ready', { nodes: [node('w1'), node('w2', { ready: false })] }, 'NodeNotReady'],
    ['a master batch held by a worker not Ready', { kind: 'master', nextBatch: ['m1'], nodes: [node('m1'), node('w2', { ready: false })] }, 'NodeNotReady'],
    ['only a node of the next batch not Ready', { nodes: [node('w1', { ready: false }), node('w2')] }, undefined],
    ['a node that joined after the upgrade began', { nodes: [node('w1'), node('w4', { ready: false, createdAt: '2026-11-25T12:00:01.000Z' })] }, undefined],
    [
      'a node this upgrade holds cordoned (an earlier attempt failed on it)',
      { nodes: [node('w1'), node('w2', { ready: false, unschedulable: true, annotations: { 'kupgrade.io/cordoned-by': 'upg-1' } })] },
      undefined,
    ],
  ],
};

describe('the gates before a batch', () => {
  it('every gate has its table', () => {
    expect(GATES.map((g) => g.name).sort()).toEqual(Object.keys(TABLE).sort());
  });

  for (const gate of GATES) {
    describe(`gate ${gate.name}`, () => {
      it.each(TABLE[gate.name] ?? [])('%s', (_name, over, reason) => {
        const i = input(over);
        const hold = gate.appliesTo.includes(i.kind) ? gate.check(i) : undefined;
        if (reason === undefined) expect(hold).toBeUndefined();
        else expect(hold).toMatchObject({ gate: gate.name, reason });
      });
    });
  }

  it('the first gate that holds is the one shown: a closed window before a node not Ready', () => {
    expect(firstHold(input({ maintenanceWindow: weekend, nodes: [node('w1'), node('w2', { ready: false })] }))).toMatchObject({ reason: 'MaintenanceWindow' });
    expect(firstHold(input({ nodes: [node('w1'), node('w2', { ready: false })] }))).toMatchObject({
      reason: 'NodeNotReady',
      object: 'node/w2',
      message: expect.stringContaining('node w2 was Ready when the upgrade began and is not Ready now'),
    });
  });
});
