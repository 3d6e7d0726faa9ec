import { describe, expect, it } from '@jest/globals';
import { applyBoundary, decideBoundary, type BoundaryInput, type BoundaryObservation } from '../../../src/domain/boundary.js';
import { decideCleanup } from '../../../src/domain/cleanup.js';
import type { NodeInfo } from '../../../src/domain/clusterSnapshot.js';
import { afterFault, stopFor } from '../../../src/domain/precedence.js';
import { settleBatch } from '../../../src/domain/settledBatch.js';
import type { Batch, NodeProgress, Upgrade, UpgradeError } from '../../../src/domain/upgrade.js';
import { markResumed } from '../../../src/domain/upgradeLifecycle.js';
import { newUpgrade } from '../../../src/upgrades/newUpgrade.js';

/**
 * The decisions as tables, golden inputs in, intents out (as Cluster API
 * tests its rollout planner): every case of precedence that the race tests
 * can only reach by intercepting the store is a row here.
 */
const T0 = '2026-06-01T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const TARGET = '1.31.10';
const settings = { pollSeconds: 30, soakSeconds: 60, validationTimeoutSeconds: 600, expirySeconds: 1_296_000 };
const FAILURE: UpgradeError = { reason: 'UpgradeJobFailed', message: 'upgrade job failed on node w1', node: 'w1' };

const node = (name: string, over: Partial<NodeInfo> = {}): NodeInfo => ({
  name,
  role: name.startsWith('m') ? 'master' : 'worker',
  kubeletVersion: '1.30.4',
  ready: true,
  unschedulable: false,
  labels: {},
  annotations: {},
  createdAt: at(-3600),
  ...over,
});
const workers = (n: number, over: (name: string) => Partial<NodeInfo> = () => ({})) =>
  Array.from({ length: n }, (_, i) => node(`w${i + 1}`, over(`w${i + 1}`)));

/** An upgrade in its nodes phase: one master done, 20 workers, nothing in flight. */
const inNodes = (over: Partial<Upgrade> = {}): Upgrade => ({
  ...newUpgrade({ id: 'upg-1', clusterId: 'c1', fromVersion: '1.30.4', toVersion: TARGET, now: T0 }),
  phase: 'nodes',
  startedAt: T0,
  masters: { total: 1, upgraded: 1, current: null, order: ['m1'] },
  nodes: { total: 20, upgraded: 0 },
  workerCount: 20,
  batchSeq: 1,
  ...over,
});
const observed = (over: Partial<BoundaryObservation> = {}): BoundaryObservation => ({
  nodes: [node('m1', { kubeletVersion: TARGET }), ...workers(20)],
  workloadGaps: [],
  mastersFinished: 1,
  ...over,
});
const decide = (over: Partial<BoundaryInput> = {}) =>
  decideBoundary({ upgrade: inNodes(), kind: 'worker', now: at(10), settings, observation: observed(), ...over });

const pausing = { status: 'pausing' as const, pauseRequested: true };
const cancelling = { cancelRequested: true };
const badValidation = { batch: 1, since: T0, passes: 0 };
const weekend = { days: ['sat' as const, 'sun' as const], start: '01:00', end: '05:00', timeZone: 'UTC' };
const notReadyW5 = observed({ nodes: [node('m1', { kubeletVersion: TARGET }), ...workers(20, (n) => (n === 'w5' ? { ready: false } : {}))] });
/** batch 1's master went through; w5 broke meanwhile (not part of it), so the validation fails */
const validatedBatch = {
  kind: 'master' as const,
  index: 1,
  nodes: [{ name: 'm1', step: 'done', role: 'first-master' } as NodeProgress],
  notReadyBefore: [],
  workloadsShortBefore: [],
};

describe('decideBoundary: precedence between two batches', () => {
  const rows: [string, Partial<BoundaryInput>, string, string][] = [
    ['nothing pending, a healthy cluster: the next batch', {}, 'startBatch', ''],
    ['no look at the cluster yet: ask for one first', { observation: undefined }, 'observe', ''],
    ['a pause request: pause, without looking at the cluster', { upgrade: inNodes(pausing), observation: undefined }, 'pause', ''],
    ['a pause and a cancel: the cancel wins, to cleanup', { upgrade: inNodes({ ...pausing, ...cancelling }), observation: undefined }, 'cleanup', ''],
    ['a cancel of a paused upgrade: to cleanup', { upgrade: inNodes({ status: 'paused', ...cancelling }), observation: undefined }, 'cleanup', ''],
    ['validation not yet healthy within its timeout: wait', { upgrade: inNodes({ validation: badValidation }), observation: notReadyW5 }, 'wait', ''],
    [
      'validation still failing past its timeout: pause with it',
      { upgrade: inNodes({ validation: badValidation }), observation: { ...notReadyW5, validatedBatch }, now: at(601) },
      'pause',
      'ValidationFailed',
    ],
    [
      'validation failing past its timeout with a cancel pending: the cancel wins',
      { upgrade: inNodes({ validation: badValidation, ...cancelling }), observation: notReadyW5, now: at(601) },
      'cleanup',
      '',
    ],
    [
      'validation failing past its timeout with a pause pending: the pause, before the cluster is looked at',
      { upgrade: inNodes({ validation: badValidation, ...pausing }), observation: notReadyW5, now: at(601) },
      'pause',
      '',
    ],
    ['outside the maintenance window: wait', { maintenanceWindow: weekend }, 'wait', ''],
    ['outside the window with a pause pending: pause', { upgrade: inNodes(pausing), maintenanceWindow: weekend }, 'pause', ''],
    ['outside the window with a cancel pending: cleanup', { upgrade: inNodes(cancelling), maintenanceWindow: weekend }, 'cleanup', ''],
    ['a node that was Ready is not Ready now: the gate holds', { observation: notReadyW5 }, 'wait', ''],
    [
      'the gate held past the validation timeout: pause naming the node',
      {
        upgrade: inNodes({ waitingFor: { gate: 'nodes-ready', reason: 'NodeNotReady', message: 'w5', since: T0, deadline: at(600) } }),
        observation: notReadyW5,
        now: at(601),
      },
      'pause',
      'NodeNotReady',
    ],
    [
      'the gate held past its timeout with a cancel pending: cleanup',
      {
        upgrade: inNodes({ ...cancelling, waitingFor: { gate: 'nodes-ready', reason: 'NodeNotReady', message: 'w5', since: T0, deadline: at(600) } }),
        observation: notReadyW5,
        now: at(601),
      },
      'cleanup',
      '',
    ],
    [
      'every worker at the target: the phase is done',
      { observation: observed({ nodes: [node('m1', { kubeletVersion: TARGET }), ...workers(20, () => ({ kubeletVersion: TARGET }))] }) },
      'phaseDone',
      '',
    ],
    [
      'every master at the target: the masters phase is done',
      { kind: 'master', upgrade: inNodes({ phase: 'masters' }), observation: observed() },
      'phaseDone',
      '',
    ],
  ];
  it.each(rows)('%s', (_name, input, kind, reason) => {
    const intent = decide(input);
    expect(intent.kind).toBe(kind);
    // jest hands a row with fewer values than parameters a done callback: every row names its reason, '' for none
    if (reason) expect(intent).toMatchObject({ error: { reason } });
    else expect(intent).not.toHaveProperty('error');
  });

  it('a node the next batch takes, or one that joined after the upgrade began, does not hold the gate', () => {
    const first = decide();
    if (first.kind !== 'startBatch') throw new Error(`expected a batch, got ${first.kind}`);
    const taken = first.batch.nodes[0]!.name;
    const brokenInBatch = observed({ nodes: [node('m1', { kubeletVersion: TARGET }), ...workers(20, (n) => (n === taken ? { ready: false } : {}))] });
    expect(decide({ observation: brokenInBatch }).kind).toBe('startBatch');
    const joinedLater = observed({ nodes: [...observed().nodes, node('w21', { ready: false, createdAt: at(5) })] });
    expect(decide({ observation: joinedLater }).kind).toBe('startBatch');
    const heldByThisUpgrade = observed({
      nodes: [...workers(20), node('w99', { ready: false, unschedulable: true, annotations: { 'kupgrade.io/cordoned-by': 'upg-1' } })],
    });
    expect(decide({ observation: heldByThisUpgrade }).kind).toBe('startBatch');
  });

  it('a wait is written when it begins, once: later polls of the same hold write nothing', () => {
    const first = decide({ observation: notReadyW5 });
    expect(first).toMatchObject({
      kind: 'wait',
      set: { waitingFor: { gate: 'nodes-ready', reason: 'NodeNotReady', object: 'node/w5', since: at(10), deadline: at(610) } },
    });
    expect(first.kind === 'wait' && first.events.map((e) => e.type)).toEqual(['WaitingForNodes']);
    const stored = applyBoundary(inNodes(), first, { now: at(10), expirySeconds: settings.expirySeconds })!;
    const again = decide({ upgrade: stored, observation: notReadyW5, now: at(40) });
    expect(again).toEqual({ kind: 'wait', events: [] });
    expect(applyBoundary(stored, again, { now: at(40), expirySeconds: settings.expirySeconds })).toBeNull();
  });

  it('a validation that passes while a gate holds is told once: not again at each poll of the hold, nor when the batch starts', () => {
    const wed = '2026-11-25T12:00:00.000Z';
    const later = (s: number) => new Date(Date.parse(wed) + s * 1000).toISOString();
    const validation = { batch: 1, since: later(-120), passes: 1, lastPassAt: later(-90) };
    let u = inNodes({ validation, waitingFor: { gate: 'validation', reason: 'Soaking', message: 'soaking', since: later(-90) } });
    const told: string[] = [];
    const step = (now: string, closed = true) => {
      const intent = decideBoundary({ upgrade: u, kind: 'worker', now, settings, observation: observed(), ...(closed ? { maintenanceWindow: weekend } : {}) });
      if (intent.kind !== 'observe') told.push(...intent.events.map((e) => e.type));
      u = applyBoundary(u, intent, { now, expirySeconds: settings.expirySeconds }) ?? u;
      return intent.kind;
    };
    expect([step(wed), step(later(3600)), step(later(7200)), step(later(7300), false)]).toEqual(['wait', 'wait', 'wait', 'startBatch']);
    expect(told).toEqual(['BatchValidated', 'WaitingForWindow', 'BatchStarted']);
  });

  it('a window that opens later is looked at again when it opens, at most an hour apart', () => {
    const wed = '2026-11-25T12:00:00.000Z';
    const intent = decide({ maintenanceWindow: weekend, now: wed });
    expect(intent).toMatchObject({
      kind: 'wait',
      pollSeconds: 3600,
      set: { waitingFor: { gate: 'maintenance-window', reason: 'MaintenanceWindow', since: wed, until: '2026-11-28T01:00:00.000Z' } },
    });
    const fridayLate = '2026-11-28T00:59:00.000Z';
    expect(decide({ maintenanceWindow: weekend, now: fridayLate })).toMatchObject({ kind: 'wait', pollSeconds: 60 });
  });
});

describe('a golden sequence across boundaries', () => {
  it('batch, validation (two looks a soak apart), a pause that arrives during validation, then the next batch after resume', () => {
    const apply = (u: Upgrade, intent: ReturnType<typeof decide>, now: string) => applyBoundary(u, intent, { now, expirySeconds: settings.expirySeconds }) ?? u;
    let u = inNodes();
    const seen: string[] = [];
    const step = (now: string, obs = observed({ validatedBatch: { kind: 'worker', index: 1, nodes: [], notReadyBefore: [], workloadsShortBefore: [] } })) => {
      const intent = decideBoundary({ upgrade: u, kind: 'worker', now, settings, observation: obs });
      seen.push(intent.kind);
      u = apply(u, intent, now);
      return intent;
    };
    const first = step(at(0));
    expect(first.kind === 'startBatch' && first.batch.nodes).toHaveLength(1);
    // the batch settles (src/domain/settledBatch.ts), the boundary then validates it
    const batch: Batch = { ...(first.kind === 'startBatch' ? first.batch : ({} as never)), status: 'done', startedAt: at(0), version: 1 };
    u = settleBatch(u, { ...batch, nodes: batch.nodes.map((n) => ({ ...n, step: 'done' })) }, { now: at(30), expirySeconds: settings.expirySeconds }).upgrade!;
    expect(step(at(30))).toMatchObject({ kind: 'wait', pollSeconds: 30 }); // first healthy look; the soak is 60 s, a poll 30
    expect(step(at(75))).toMatchObject({ kind: 'wait', pollSeconds: 15 }); // not a soak later yet: the next look when it is over
    u = { ...u, status: 'pausing', pauseRequested: true };
    step(at(95)); // the pause takes effect at the boundary, before the second look
    expect(u).toMatchObject({ status: 'paused', validation: { batch: 2, passes: 1 } });
    // resumed: the validation starts over, and the ramp again at 1
    expect(u.rampIndex).toBe(1);
    u = markResumed(u, at(200));
    expect(u).toMatchObject({ status: 'running', rampIndex: 0, validation: { batch: 2, since: at(200), passes: 0 } });
    step(at(210)); // first look after the resume
    const next = step(at(280)); // a soak later: validated, the next batch
    expect(next).toMatchObject({ kind: 'startBatch', batch: { number: 3, index: 2 } });
    expect(next.kind === 'startBatch' && next.batch.nodes).toHaveLength(1);
    expect(next.kind === 'startBatch' && next.events.map((e) => e.type)).toEqual(['BatchValidated', 'BatchStarted']);
    expect(seen).toEqual(['startBatch', 'wait', 'wait', 'pause', 'wait', 'startBatch']);
  });
});

describe('settleBatch: a batch whose nodes have all settled', () => {
  const batch = (failed: boolean): Batch => ({
    upgradeId: 'upg-1',
    number: 2,
    kind: 'worker',
    index: 1,
    nodes: [
      { name: 'w1', role: 'worker', step: failed ? 'failed' : 'done', ...(failed ? { error: FAILURE } : {}) },
      { name: 'w2', role: 'worker', step: 'done' },
    ],
    notReadyBefore: [],
    status: failed ? 'failed' : 'done',
    startedAt: T0,
    version: 3,
    execution: 1,
  });
  const settle = (u: Partial<Upgrade>, failed: boolean) =>
    settleBatch(inNodes({ currentBatch: 2, batchSeq: 2, ...u }), batch(failed), { now: at(5), expirySeconds: 100 });
  const rows: [string, Partial<Upgrade>, boolean, Partial<Upgrade>, boolean][] = [
    ['all upgraded: validation of the batch begins', {}, false, { status: 'running', validation: { batch: 2, since: at(5), passes: 0 } }, false],
    [
      'all upgraded, a pause pending: validation begins, the pause waits for the boundary',
      pausing,
      false,
      { status: 'pausing', validation: { batch: 2, since: at(5), passes: 0 } },
      false,
    ],
    ['a node failed: paused with its error', {}, true, { status: 'paused', error: FAILURE, retryFirst: ['w1'] }, true],
    ['a node failed and a pause was pending: paused with the error', pausing, true, { status: 'paused', pauseRequested: false, error: FAILURE }, true],
    [
      'a node failed and a cancel is pending: not paused, the error kept, on to cleanup',
      { ...pausing, ...cancelling },
      true,
      { status: 'pausing', error: FAILURE, currentBatch: null },
      false,
    ],
  ];
  it.each(rows)('%s', (_name, over, failed, expected, pausedEvent) => {
    const { upgrade, events } = settle(over, failed);
    expect(upgrade).toMatchObject({ currentBatch: null, nodes: { upgraded: failed ? 1 : 2 }, ...expected });
    expect(events.map((e) => e.type)).toEqual([failed ? 'BatchFailed' : 'BatchDone', ...(pausedEvent ? ['UpgradePaused'] : [])]);
  });
  it('keeps the shortest Job run seen so far: the next batch is waited for by it', () => {
    const b = batch(false);
    const timed = {
      ...b,
      nodes: [
        { ...b.nodes[0]!, jobSeconds: 11 },
        { ...b.nodes[1]!, jobSeconds: 10 },
      ],
    };
    const u = inNodes({ currentBatch: 2, batchSeq: 2 });
    expect(settleBatch(u, timed, { now: at(5), expirySeconds: 100 }).upgrade?.jobSeconds).toBe(10);
    expect(settleBatch({ ...u, jobSeconds: 9 }, timed, { now: at(5), expirySeconds: 100 }).upgrade?.jobSeconds).toBe(9);
    expect(settleBatch(u, b, { now: at(5), expirySeconds: 100 }).upgrade).not.toHaveProperty('jobSeconds');
  });
  it('a batch the upgrade has already left is not settled twice', () => {
    expect(settleBatch(inNodes({ currentBatch: null }), batch(false), { now: at(5), expirySeconds: 100 })).toEqual({ upgrade: null, events: [] });
  });
});

describe('the precedence, written once', () => {
  const rows: [boolean, boolean, boolean, string][] = [
    // cancel, failure, pause → what stops the upgrade
    [false, false, false, 'none'],
    [false, false, true, 'pause'],
    [false, true, false, 'failure'],
    [false, true, true, 'failure'],
    [true, false, false, 'cancel'],
    [true, false, true, 'cancel'],
    [true, true, false, 'cancel'],
    [true, true, true, 'cancel'],
  ];
  it.each(rows)('cancel=%s failure=%s pause=%s → %s', (cancelRequested, failed, pauseRequested, kind) => {
    expect(stopFor({ cancelRequested, pauseRequested }, failed ? FAILURE : undefined).kind).toBe(kind);
  });
  it('a fault outranks a cancel: the cancel is cut short', () => {
    expect(afterFault({ cancelRequested: true })).toEqual({ cancelCutShort: true });
    expect(afterFault({ cancelRequested: false })).toEqual({ cancelCutShort: false });
  });
  it.each([
    [false, false, 'succeeded'],
    [false, true, 'pause'],
    [true, false, 'cancelled'],
    [true, true, 'cancelled'],
  ] as const)('cleanup with cancel=%s pause=%s → %s', (cancelRequested, pauseRequested, outcome) => {
    expect(decideCleanup({ cancelRequested, pauseRequested })).toBe(outcome);
  });
});
