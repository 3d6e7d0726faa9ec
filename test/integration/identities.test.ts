// One physical cluster, one registration: the identity item against dynalite (no stack, no cluster).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { fillIdentity } from '../../src/registration/registerCluster.js';
import { getCluster, putCluster, type Cluster } from '../../src/store/clusters.js';
import type { Db } from '../../src/store/db.js';
import { claimIdentity, releaseIdentity } from '../../src/store/identities.js';
import { startStore } from '../helpers/dynaliteStore.js';

const T0 = '2030-01-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

let db: Db;
let stopStore: () => Promise<void>;
beforeAll(async () => {
  ({ db, stop: stopStore } = await startStore('kupgrade-identity-test'));
});
afterAll(async () => stopStore());

const cluster = (id: string, over: Partial<Cluster> = {}): Cluster => ({
  id,
  name: id,
  version: '1.30.4',
  kubeconfigRef: `file:/nowhere/${id}`,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});
const claimOf = async (identity: string) => (await db.doc.send(new GetCommand({ TableName: db.table, Key: { pk: `IDENTITY#${identity}`, sk: 'META' } }))).Item;

describe('cluster identities', () => {
  it('a second registration of the same cluster is a conflict naming the first; the same one again is not', async () => {
    await claimIdentity(db, 'uid-a', 'lab2', T0);
    await putCluster(db, cluster('lab2', { identity: 'uid-a' }));

    await expect(claimIdentity(db, 'uid-a', 'lab2-dup', at(1))).rejects.toMatchObject({
      reason: 'Conflict',
      message: expect.stringContaining('already registered as lab2'),
      remedy: expect.stringContaining('DELETE /clusters/lab2'),
    });
    await expect(claimIdentity(db, 'uid-a', 'lab2', at(2))).resolves.toBeUndefined();
    expect(await claimOf('uid-a')).toMatchObject({ clusterId: 'lab2', claimedAt: T0 });
  });

  it('a claim left by a crash before the cluster item is taken over once it is older than a registration takes, not before', async () => {
    // Prepare: a registration claimed the identity, then crashed before writing its cluster item
    await claimIdentity(db, 'uid-b', 'crashed', T0);

    // Act + Assess: while it may still be under way, the claim stands
    await expect(claimIdentity(db, 'uid-b', 'other', at(30))).rejects.toMatchObject({ reason: 'Conflict' });
    // a minute later it is recognised as left behind and repaired
    await claimIdentity(db, 'uid-b', 'other', at(61));
    expect(await claimOf('uid-b')).toMatchObject({ clusterId: 'other', claimedAt: at(61) });
  });

  it('an unregistration cut short (cluster item gone, claim left) does not block the next registration', async () => {
    await claimIdentity(db, 'uid-c', 'gone', T0);
    await putCluster(db, cluster('gone', { identity: 'uid-c' }));
    // the cluster item is deleted; the crash comes before the claim is given back
    await db.doc.send(new DeleteCommand({ TableName: db.table, Key: { pk: 'CLUSTER#gone', sk: 'META' } }));

    await claimIdentity(db, 'uid-c', 'again', at(120));
    expect(await claimOf('uid-c')).toMatchObject({ clusterId: 'again' });
    // giving back a claim another registration holds changes nothing
    await releaseIdentity(db, 'uid-c', 'gone');
    expect(await claimOf('uid-c')).toMatchObject({ clusterId: 'again' });
    await releaseIdentity(db, 'uid-c', 'again');
    expect(await claimOf('uid-c')).toBeUndefined();
  });

  it('a cluster registered before identities gets its identity on its next read, unless another registration holds it', async () => {
    await putCluster(db, cluster('old-1'));
    await putCluster(db, cluster('old-2'));
    const overview = { version: '1.30.4', identity: 'uid-d', nodes: [] };

    await fillIdentity({ db, now: () => at(5) }, (await getCluster(db, 'old-1'))!, overview);
    await fillIdentity({ db, now: () => at(6) }, (await getCluster(db, 'old-2'))!, overview);

    expect((await getCluster(db, 'old-1'))?.identity).toBe('uid-d');
    expect((await getCluster(db, 'old-2'))?.identity).toBeUndefined();
    expect(await claimOf('uid-d')).toMatchObject({ clusterId: 'old-1' });
  });
});
