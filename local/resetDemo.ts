// npm run demo:reset: the demo cluster back to one minor behind the newest version, with no upgrade and no window, as on a first start.
import dynalite from 'dynalite';
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { markFinished } from '../src/domain/upgradeLifecycle.js';
import { isActive } from '../src/domain/upgradeStatus.js';
import { deleteCluster, getCluster, unlockCluster } from '../src/store/clusters.js';
import { createDb } from '../src/store/db.js';
import { releaseIdentity } from '../src/store/identities.js';
import { ensureTable } from '../src/store/tableSchema.js';
import { listUpgrades, updateUpgrade } from '../src/store/upgrades.js';

const program = new Command()
  .name('npm run demo:reset --')
  .description('Resets the demo cluster of a stopped local stack: its upgrades end, its window goes, and the next npm start makes it anew, one minor behind.')
  .option('--data-dir <dir>', "the local stack's data (KUPGRADE_DATA_DIR)", process.env.KUPGRADE_DATA_DIR ?? '.kupgrade')
  .parse();
const dataDir = resolve(program.opts<{ dataDir: string }>().dataDir);

const dyn = dynalite({ path: join(dataDir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
try {
  await new Promise<void>((res, rej) => {
    dyn.once('error', rej);
    dyn.listen(0, '127.0.0.1', () => res());
  });
} catch (err) {
  console.error(`demo:reset: the data in ${dataDir} is in use (${(err as Error).message}): stop npm start first`);
  process.exit(2);
}
const db = createDb({ table: process.env.TABLE_NAME ?? 'kupgrade', endpoint: `http://127.0.0.1:${(dyn.address() as AddressInfo).port}` });
try {
  await ensureTable(db);
  const now = new Date().toISOString();
  const demo = await getCluster(db, 'demo');
  if (demo) {
    // an upgrade still active (scheduled, running, paused) ends: the cluster it was upgrading goes
    for (const u of (await listUpgrades(db, 'demo')).filter((x) => isActive(x.status))) {
      await updateUpgrade(db, 'demo', u.id, (cur) => {
        if (!isActive(cur.status)) return null;
        // the stack is stopped, so no execution carries a running upgrade: it ends as a paused one would be cancelled
        const stopped = cur.status === 'running' ? { ...cur, status: 'paused' as const } : cur;
        return {
          ...markFinished(stopped, 'cancelled', now),
          error: { reason: 'DemoReset', message: 'the demo cluster was reset', remedy: 'start a new upgrade' },
        };
      });
      await unlockCluster(db, 'demo', u.id, now);
    }
    await deleteCluster(db, 'demo', now);
    if (demo.identity) await releaseIdentity(db, demo.identity, 'demo');
  }
  await rm(join(dataDir, 'demo'), { recursive: true, force: true });
  console.log(`demo:reset: the demo cluster is reset; npm start makes it anew, one minor behind the newest version`);
} finally {
  await new Promise<void>((res) => dyn.close(() => res()));
}
