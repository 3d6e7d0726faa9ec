// The store's invariants rest on single-item conditional writes; these tests
// hold each condition to what it guards, against dynalite (no stack, no cluster).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../src/domain/errors.js';
import type { Batch, Upgrade } from '../../src/domain/upgrade.js';
import { createOrAdoptBatch, getBatch, saveBatch } from '../../src/store/batches.js';
import { deleteCluster, findStaleLock, getCluster, lockCluster, putCluster, releaseLock } from '../../src/store/clusters.js';
import { keys, type Db } from '../../src/store/db.js';
import { appendEvents, listEvents } from '../../src/store/events.js';
import { insertUpgrade, getUpgrade, saveUpgrade, VersionConflictError } from '../../src/store/upgrades.js';
import { newUpgrade } from '../../src/upgrades/newUpgrade.js';
import { createUpgrade } from '../../src/upgrades/createUpgrade.js';
import { startStore } from '../helpers/dynaliteStore.js';

const T0 = '2030-01-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

let db: Db;
let stopStore: () => Promise<void>;
beforeAll(async () => {
  ({ db, stop: stopStore } = await startStore('kupgrade-store-test'));
});
afterAll(async () => stopStore());

async function cluster(id: string): Promise<void> {
  await putCluster(db, { id, name: id, version: '1.30.4', kubeconfigRef: `file:/nowhere/${id}`, createdAt: T0, updatedAt: T0 });
}

/** A cluster locked by an upgrade in `status` (its item written), as a start leaves it. */
async function lockedBy(clusterId: string, upgrade: Partial<Upgrade> | null): Promise<string> {
  await cluster(clusterId);
  const id = `upg-${clusterId}`;
  await lockCluster(db, clusterId, id, T0);
  if (upgrade) await insertUpgrade(db, { ...newUpgrade({ id, clusterId, fromVersion: '1.30.4', toVersion: '1.31.10', now: T0 }), ...upgrade });
  return id;
}

const rawCluster = async (id: string) => (await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.cluster(id), ConsistentRead: true }))).Item;

describe('clusters', () => {
  describe('deleteCluster', () => {
    it('deletes a cluster whose lock is held by an upgrade that ended', async () => {
      // Prepare
      for (const status of ['succeeded', 'failed', 'cancelled', 'expired'] as const) await lockedBy(`ended-${status}`, { status, phase: 'done' });

      // Act
      for (const status of ['succeeded', 'failed', 'cancelled', 'expired']) await deleteCluster(db, `ended-${status}`, at(1));

      // Assess
      for (const status of ['succeeded', 'failed', 'cancelled', 'expired']) expect(await getCluster(db, `ended-${status}`)).toBeUndefined();
    });

    it('deletes a cluster whose upgrade is paused past its expiry, before any closer has got to it', async () => {
      // Prepare: paused, expiry at T0 + 100 s, still `paused` in the table
      await lockedBy('expired-paused', { status: 'paused', pausedAt: T0, expiresAt: Date.parse(T0) / 1000 + 100 });

      // Act / Assess: before the expiry it is active, after it it is expired
      await expect(deleteCluster(db, 'expired-paused', at(99))).rejects.toMatchObject({ reason: 'Conflict' });
      expect(await getCluster(db, 'expired-paused')).toBeDefined();
      await deleteCluster(db, 'expired-paused', at(100));
      expect(await getCluster(db, 'expired-paused')).toBeUndefined();
    });

    it('deletes a cluster locked by a start that crashed before writing its upgrade, once the lock is older than a start takes', async () => {
      // Prepare: the lock, no upgrade item
      await lockedBy('orphan', null);

      // Act / Assess: a start may still be writing its item within the first minute
      await expect(deleteCluster(db, 'orphan', at(30))).rejects.toMatchObject({ reason: 'Conflict' });
      expect((await getCluster(db, 'orphan'))?.activeUpgradeId).toBe('upg-orphan');
      await deleteCluster(db, 'orphan', at(61));
      expect(await getCluster(db, 'orphan')).toBeUndefined();
    });

    it('refuses with a 409 while the upgrade holding the lock is active, and changes nothing', async () => {
      for (const status of ['scheduled', 'running', 'pausing', 'paused'] as const) {
        // Prepare
        const id = await lockedBy(`active-${status}`, { status });
        const before = await rawCluster(`active-${status}`);

        // Act / Assess
        await expect(deleteCluster(db, `active-${status}`, at(3600))).rejects.toThrow(`has an active upgrade (${id})`);
        expect(await rawCluster(`active-${status}`)).toEqual(before);
      }
    });

    it('answers 404 for an unknown cluster', async () => {
      await expect(deleteCluster(db, 'never-registered', T0)).rejects.toMatchObject({ reason: 'NotFound' });
    });
  });

  describe('releaseLock', () => {
    it('refuses when the lock was re-taken since it was judged stale, and leaves it as the new holder wrote it', async () => {
      // Prepare: a crashed start's lock, judged orphaned a minute later
      await lockedBy('retaken', null);
      const stale = await findStaleLock(db, (await getCluster(db, 'retaken'))!, at(61));
      expect(stale).toEqual({ upgradeId: 'upg-retaken', lockedAt: T0 });
      // the retried start takes the lock again (same upgrade, new time)
      await lockCluster(db, 'retaken', 'upg-retaken', at(62));

      // Act
      const released = await releaseLock(db, 'retaken', stale!, at(63));

      // Assess
      expect(released).toBe(false);
      expect(await getCluster(db, 'retaken')).toMatchObject({ activeUpgradeId: 'upg-retaken', lockedAt: at(62) });
    });

    it('releases the very lock it judged', async () => {
      await lockedBy('released', null);
      const stale = await findStaleLock(db, (await getCluster(db, 'released'))!, at(61));
      expect(await releaseLock(db, 'released', stale!, at(61))).toBe(true);
      expect((await getCluster(db, 'released'))?.activeUpgradeId).toBeUndefined();
    });
  });
});

describe('startUpgrade', () => {
  it("releases a crashed start's lock only after a minute", async () => {
    await lockedBy('crashed', null);
    const args = { clusterId: 'crashed', upgradeId: 'upg-next', targetVersion: '1.31.10' };
    await expect(createUpgrade(db, { ...args, now: at(30) })).rejects.toMatchObject({ reason: 'Conflict' });
    expect(await createUpgrade(db, { ...args, now: at(61) })).toMatchObject({ id: 'upg-next', status: 'running' });
    expect((await getCluster(db, 'crashed'))?.activeUpgradeId).toBe('upg-next');
  });

  it("does not release a lock that the crashed start's retry re-took after it was judged orphaned", async () => {
    // Prepare: a crashed start's lock; the retry of that start re-takes it just
    // before the other start's release reaches the table
    await lockedBy('race', null);
    let raced = false;
    const racing: Db = {
      ...db,
      doc: {
        send: async (command: unknown) => {
          if (!raced && command instanceof UpdateCommand && command.input.UpdateExpression?.startsWith('REMOVE activeUpgradeId')) {
            raced = true;
            await lockCluster(db, 'race', 'upg-race', at(61));
          }
          return db.doc.send(command as never);
        },
      } as unknown as DynamoDBDocumentClient,
    };

    // Act
    const other = createUpgrade(racing, { clusterId: 'race', upgradeId: 'upg-other', targetVersion: '1.31.10', now: at(61) });

    // Assess: the retry keeps its lock, the other start is a conflict and wrote nothing
    await expect(other).rejects.toMatchObject({ reason: 'Conflict' });
    expect(raced).toBe(true);
    expect(await getCluster(db, 'race')).toMatchObject({ activeUpgradeId: 'upg-race', lockedAt: at(61) });
    expect(await getUpgrade(db, 'race', 'upg-other')).toBeUndefined();
  });
});

describe('optimistic locking', () => {
  describe('saveUpgrade', () => {
    it('refuses a write based on a stale version with a VersionConflictError and changes nothing', async () => {
      // Prepare: two readers of version 1; the first writes version 2
      const u = newUpgrade({ id: 'upg-occ', clusterId: 'occ', fromVersion: '1.30.4', toVersion: '1.31.10', now: T0 });
      await insertUpgrade(db, u);
      const first = await saveUpgrade(db, { ...u, pauseRequested: true, status: 'pausing', updatedAt: at(1) }, 1);
      expect(first.version).toBe(2);

      // Act: the second writes from what it read (version 1)
      const stale = saveUpgrade(db, { ...u, phase: 'masters', updatedAt: at(2) }, 1);

      // Assess
      await expect(stale).rejects.toBeInstanceOf(VersionConflictError);
      expect(await getUpgrade(db, 'occ', 'upg-occ')).toEqual(first);
    });
  });

  describe('saveBatch', () => {
    it('refuses a write based on a stale version with a ConflictError and changes nothing', async () => {
      // Prepare
      const batch: Batch = {
        upgradeId: 'upg-occ',
        number: 1,
        kind: 'worker',
        index: 1,
        nodes: [{ name: 'worker-1', step: 'pending', role: 'worker' }],
        notReadyBefore: [],
        status: 'running',
        startedAt: T0,
        version: 1,
      };
      await createOrAdoptBatch(db, batch);
      const first = await saveBatch(db, { ...batch, nodes: [{ name: 'worker-1', step: 'draining', role: 'worker' }] }, batch);
      expect(first.version).toBe(2);

      // Act
      const stale = saveBatch(db, { ...batch, nodes: [{ name: 'worker-1', step: 'failed', role: 'worker' }], status: 'failed' }, batch);

      // Assess
      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      expect(await getBatch(db, 'upg-occ', 1)).toEqual(first);
    });
  });
});

describe('events', () => {
  it("that share a timestamp read back in the order they were written, across calls (a batch step writes its nodes' events, then the batch's)", async () => {
    // Act: one `now` for all, as one invocation stamps them
    for (let i = 0; i < 20; i++) {
      await appendEvents(db, 'upg-order', [
        { at: T0, type: 'NodeUpgraded', message: `node ${i}` },
        { at: T0, type: 'NodeUncordoned', message: `node ${i}` },
      ]);
      await appendEvents(db, 'upg-order', [{ at: T0, type: 'BatchDone', message: `batch ${i}` }]);
    }

    // Assess
    const read = await listEvents(db, 'upg-order');
    expect(read.map((e) => `${e.type} ${e.message}`)).toEqual(
      Array.from({ length: 20 }, (_, i) => [`NodeUpgraded node ${i}`, `NodeUncordoned node ${i}`, `BatchDone batch ${i}`]).flat(),
    );
  });
});

describe('batches left behind by a crash', () => {
  const batch = (over: Partial<Batch>): Batch => ({
    upgradeId: 'upg-orphan',
    number: 3,
    kind: 'worker',
    index: 2,
    nodes: [{ name: 'worker-1', step: 'pending', role: 'worker' }],
    notReadyBefore: [],
    execution: 1,
    status: 'running',
    startedAt: T0,
    version: 1,
    ...over,
  });

  it('one of this execution is adopted as it was; one an earlier execution never started is planned again; a started one never is', async () => {
    // Prepare: batch 3 written by execution 1, then the step crashed before the upgrade pointed at it
    await createOrAdoptBatch(db, batch({ nodes: [0, 1, 2, 3].map((i) => ({ name: `worker-${i}`, step: 'pending', role: 'worker' as const })) }));

    // Act + Assess: the same execution adopts it, nodes and all
    expect((await createOrAdoptBatch(db, batch({})))!.nodes).toHaveLength(4);

    // Act + Assess: after a pause and a resume (execution 2) the ramp is back at 1: the unstarted batch is planned again
    const replanned = await createOrAdoptBatch(db, batch({ execution: 2 }));
    expect(replanned).toMatchObject({ execution: 2, version: 2, nodes: [{ name: 'worker-1', step: 'pending' }] });
    expect(await getBatch(db, 'upg-orphan', 3)).toEqual(replanned);

    // a batch whose nodes moved is never replaced, whatever execution asks
    await saveBatch(db, { ...replanned, nodes: [{ name: 'worker-1', step: 'draining', role: 'worker' }] }, replanned);
    const kept = await createOrAdoptBatch(db, batch({ execution: 3, nodes: [{ name: 'worker-9', step: 'pending', role: 'worker' }] }));
    expect(kept).toMatchObject({ execution: 2, nodes: [{ name: 'worker-1', step: 'draining' }] });
  });
});
