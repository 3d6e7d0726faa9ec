// Events travel in the write that decides them (StampedEvent, src/domain/upgrade.ts):
// a step cut short between that write and its events loses none, and the
// next writer, writing them out again under the same keys, doubles none.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Batch, Upgrade } from '../../src/domain/upgrade.js';
import { createOrAdoptBatch, getBatch, saveBatch } from '../../src/store/batches.js';
import type { Db } from '../../src/store/db.js';
import type { ApiContext } from '../../src/api/context.js';
import { listEventsRoute } from '../../src/api/upgradeRoutes.js';
import { listEvents, writePendingEvents, type EventPage } from '../../src/store/events.js';
import { getUpgrade, insertUpgrade, updateUpgrade, updateUpgradeRecording } from '../../src/store/upgrades.js';
import { newUpgrade } from '../../src/upgrades/newUpgrade.js';
import { startStore } from '../helpers/dynaliteStore.js';

const T0 = '2030-01-01T00:00:00.000Z';

let db: Db;
let stopStore: () => Promise<void>;
beforeAll(async () => {
  ({ db, stop: stopStore } = await startStore('kupgrade-events-test'));
});
afterAll(async () => stopStore());

/** The same store, cut short (as by a crash) at the event write number `failAt`, counting from 1, and after it. */
function cutShortAt(failAt: number): Db {
  let eventWrites = 0;
  const send = db.doc.send.bind(db.doc) as (c: unknown) => Promise<unknown>;
  const doc = Object.create(db.doc) as Db['doc'];
  doc.send = ((command: unknown) => {
    const sk = command instanceof PutCommand ? String(command.input.Item?.sk ?? '') : '';
    if (sk.startsWith('EVENT#') && ++eventWrites >= failAt) return Promise.reject(new Error('the process died'));
    return send(command);
  }) as Db['doc']['send'];
  return { ...db, doc };
}

/** Every page of the events route (GET …/events), followed to the end: the event types, in the order shown. */
async function readPages(upgradeId: string, limit: number): Promise<string[]> {
  const ctx = { db, now: () => T0 } as unknown as ApiContext;
  const types: string[] = [];
  let cursor: string | undefined;
  do {
    const { body } = await listEventsRoute.run(ctx, {
      params: { clusterId: 'c1', upgradeId },
      body: undefined,
      query: { limit, ...(cursor ? { cursor } : {}) },
    });
    const page = body as EventPage;
    expect(page.events.length).toBeLessThanOrEqual(limit);
    types.push(...page.events.map((e) => e.type));
    cursor = page.nextCursor;
  } while (cursor);
  return types;
}

/** Worker batch 1 of upgrade `upgradeId`, its nodes pending. */
const batchOf = (upgradeId: string, nodes: string[]): Batch => ({
  upgradeId,
  number: 1,
  kind: 'worker',
  index: 1,
  nodes: nodes.map((name) => ({ name, step: 'pending', role: 'worker' })),
  notReadyBefore: [],
  status: 'running',
  startedAt: T0,
  version: 1,
});
const upgradeOf = (id: string) => newUpgrade({ id, clusterId: 'c1', fromVersion: '1.30.4', toVersion: '1.31.10', now: T0 });
const event = (type: string, node?: string) => ({ at: T0, type, message: `${type}${node ? ` ${node}` : ''}`, ...(node ? { node } : {}) });

describe('events carried by the write that decides them', () => {
  it('a change cut short after its write, one event of three stored, is told in full and once by the next write of the upgrade', async () => {
    // Prepare
    await insertUpgrade(db, upgradeOf('upg-cut'), [event('UpgradeCreated')]);

    // Act: the pause is written, then the process dies after the first of its events
    const cut = cutShortAt(2);
    await expect(
      updateUpgradeRecording(cut, 'c1', 'upg-cut', (cur) => ({
        upgrade: { ...cur, status: 'pausing', pauseRequested: true },
        events: [event('PauseRequested'), event('NoteOne'), event('NoteTwo')],
      })),
    ).rejects.toThrow('the process died');

    // Assess: the write stands, its events wait in the item
    const stored = await getUpgrade(db, 'c1', 'upg-cut');
    expect(stored?.status).toBe('pausing');
    expect(stored?.pendingEvents?.map((e) => e.type)).toEqual(['PauseRequested', 'NoteOne', 'NoteTwo']);
    expect((await listEvents(db, 'upg-cut')).map((e) => e.type)).toEqual(['UpgradeCreated', 'PauseRequested']);
    // a reader of the events route meanwhile reads them all, in their order, a page at a time, as they will be stored
    const told = ['UpgradeCreated', 'PauseRequested', 'NoteOne', 'NoteTwo'];
    for (const limit of [1, 2, 3, 10]) expect(await readPages('upg-cut', limit)).toEqual(told);

    // Act: any next write of the upgrade, even one with no events of its own
    const next = await updateUpgrade(db, 'c1', 'upg-cut', (cur) => ({ ...cur, updatedAt: '2030-01-01T00:00:01.000Z' }));

    // Assess: every event once, in the order decided; nothing left pending
    expect((await listEvents(db, 'upg-cut')).map((e) => e.type)).toEqual(['UpgradeCreated', 'PauseRequested', 'NoteOne', 'NoteTwo']);
    expect(next.pendingEvents).toBeUndefined();
    for (const limit of [1, 2, 3, 10]) expect(await readPages('upg-cut', limit)).toEqual(told);
    expect((await getUpgrade(db, 'c1', 'upg-cut'))?.pendingEvents).toBeUndefined();
  });

  it('events held until what they tell has happened (a resume before its execution starts) are not shown, and never if taken back', async () => {
    await insertUpgrade(db, upgradeOf('upg-held'), [event('UpgradeCreated')]);
    const resume = (cur: Upgrade) => ({ upgrade: { ...cur, status: 'running' as const }, events: [event('UpgradeResumed')] });

    // Act: a resume written with its event held; its execution could not start, so it is taken back
    const held = await updateUpgradeRecording(db, 'c1', 'upg-held', resume, { holdEvents: true });
    const shownWhileHeld = await readPages('upg-held', 10);
    await updateUpgradeRecording(db, 'c1', 'upg-held', (cur) => ({ upgrade: { ...cur, status: 'paused' }, events: [event('StartFailed')] }), {
      dropPending: true,
    });

    // Assess: a reader never saw a resume that did not happen, so the next event it reads is the failure
    expect(held.pendingEvents?.map((e) => e.type)).toEqual(['UpgradeResumed']);
    expect(shownWhileHeld).toEqual(['UpgradeCreated']);
    expect(await readPages('upg-held', 10)).toEqual(['UpgradeCreated', 'StartFailed']);

    // Act: a resume whose execution started: its event is written out, and shown
    const started = await updateUpgradeRecording(db, 'c1', 'upg-held', resume, { holdEvents: true });
    await writePendingEvents(db, 'upg-held', started.pendingEvents);
    expect(await readPages('upg-held', 10)).toEqual(['UpgradeCreated', 'StartFailed', 'UpgradeResumed']);
    // the next write of the upgrade is not held: its events are shown from its write on
    await updateUpgradeRecording(cutShortAt(1), 'c1', 'upg-held', (cur) => ({ upgrade: cur, events: [event('NoteOne')] })).catch(() => undefined);
    expect((await getUpgrade(db, 'c1', 'upg-held'))?.pendingHeld).toBeUndefined();
    expect(await readPages('upg-held', 10)).toEqual(['UpgradeCreated', 'StartFailed', 'UpgradeResumed', 'NoteOne']);
  });

  it('a change that loses its race writes none of its events; the one decided again on the stored item writes its own once', async () => {
    // Prepare: a store where another writer overtakes the first write of the upgrade
    await insertUpgrade(db, upgradeOf('upg-race'));
    const send = db.doc.send.bind(db.doc) as (c: unknown) => Promise<unknown>;
    const doc = Object.create(db.doc) as Db['doc'];
    let overtaken = false;
    doc.send = (async (command: unknown) => {
      if (!overtaken && command instanceof PutCommand && String(command.input.Item?.sk).startsWith('UPGRADE#')) {
        overtaken = true;
        await updateUpgrade(db, 'c1', 'upg-race', (cur) => ({ ...cur, updatedAt: '2030-01-01T00:00:02.000Z' }));
      }
      return send(command);
    }) as Db['doc']['send'];
    const decided: number[] = [];

    // Act
    await updateUpgradeRecording({ ...db, doc }, 'c1', 'upg-race', (cur) => {
      decided.push(cur.version);
      return { upgrade: cur, events: [event(`DecidedOnVersion${cur.version}`)] };
    });

    // Assess
    expect(decided).toEqual([1, 2]);
    expect((await listEvents(db, 'upg-race')).map((e) => e.type)).toEqual(['DecidedOnVersion2']);
  });

  it("a batch step cut short after the batch's write: its nodes' events are written by the batch's next write, none twice", async () => {
    // Prepare
    const batch = batchOf('upg-batch', ['worker-1', 'worker-2']);
    await createOrAdoptBatch(db, batch);
    const draining = batch.nodes.map((n) => ({ ...n, step: 'draining' as const }));

    // Act: the nodes are cordoned and the batch written; the process dies before any event
    await expect(
      saveBatch(cutShortAt(1), { ...batch, nodes: draining }, batch, { events: [event('NodeCordoned', 'worker-1'), event('NodeCordoned', 'worker-2')] }),
    ).rejects.toThrow('the process died');
    expect(await listEvents(db, 'upg-batch')).toEqual([]);

    // Act: the retried step reads the batch and moves it on
    const read = (await getBatch(db, 'upg-batch', 1))!;
    expect(read.pendingEvents).toHaveLength(2);
    await saveBatch(db, { ...read, nodes: read.nodes.map((n) => ({ ...n, step: 'upgrading' as const })) }, read, {
      events: [event('NodeDrained', 'worker-1'), event('NodeDrained', 'worker-2')],
    });
    // and a writer that read the batch before that (its own write then loses) writes the same events out again
    await saveBatch(db, { ...read }, read).catch(() => undefined);

    // Assess
    expect((await listEvents(db, 'upg-batch')).map((e) => `${e.type} ${e.node}`)).toEqual([
      'NodeCordoned worker-1',
      'NodeCordoned worker-2',
      'NodeDrained worker-1',
      'NodeDrained worker-2',
    ]);
  });
  it('events too many to carry (hundreds of nodes with long names in one step) are written after the write, not carried: the item stays under 400 KB', async () => {
    // Prepare
    const batch = batchOf('upg-wide', ['worker-1']);
    await createOrAdoptBatch(db, batch);
    const many = Array.from({ length: 600 }, (_, i) => ({ at: T0, type: 'NodeDrained', message: `node ${'n'.repeat(253)}-${i} drained`, node: `n-${i}` }));

    // Act
    const saved = await saveBatch(db, { ...batch, nodes: [{ name: 'worker-1', step: 'draining', role: 'worker' }] }, batch, { events: many });

    // Assess
    expect(saved.pendingEvents).toBeUndefined();
    expect((await getBatch(db, 'upg-wide', 1))?.pendingEvents).toBeUndefined();
    expect(await listEvents(db, 'upg-wide')).toHaveLength(600);
  });
});
