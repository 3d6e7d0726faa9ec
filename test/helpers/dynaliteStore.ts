import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';
import { createDb, type Db } from '../../src/store/db.js';
import { ensureTable } from '../../src/store/tableSchema.js';

/** An in-memory dynalite on a free local port, its tables made at once. */
export async function startDynalite(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((res) => server.close(() => res())),
  };
}

/** The store on its own dynalite, the table made: for tests of the store's writes (no stack, no cluster). */
export async function startStore(table: string): Promise<{ db: Db; stop: () => Promise<void> }> {
  const { endpoint, stop } = await startDynalite();
  const db = createDb({ table, endpoint });
  await ensureTable(db);
  return { db, stop };
}
