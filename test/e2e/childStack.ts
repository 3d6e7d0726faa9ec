import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDb, type Db } from '../../src/store/db.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'e2e-token-0123456789abcdef';

export interface ChildStack {
  url: string;
  db: Db;
  output: () => string;
  /** whether the process has exited, and how */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  proc: ChildProcess;
}

/** `npm start` as a user runs it (node + tsx, no npm wrapper so a signal reaches the stack itself). */
export async function startChildStack(dataDir: string, env: Record<string, string> = {}, args: string[] = []): Promise<ChildStack> {
  const { NODE_OPTIONS: _n, ...inherited } = process.env;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', ...args], {
    cwd: ROOT,
    env: {
      ...inherited,
      PORT: '0',
      KUPGRADE_TOKEN: TOKEN,
      KUPGRADE_DATA_DIR: dataDir,
      POLL_SECONDS: '0.05',
      KUPGRADE_DEMO_UPGRADE_SECONDS: '0.2',
      // a small demo (10 workers), enough for these tests; the README's walk-through runs the default one
      KUPGRADE_DEMO_WORKERS: '10',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.once('exit', (code, signal) => res({ code, signal })));
  const deadline = Date.now() + 60_000;
  while (!out.includes('Ctrl-C stops it.')) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`the local stack did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /^api: (\S+)$/m.exec(out)![1]!;
  const dynamodb = /^dynamodb: (\S+) \(table (\S+)\)$/m.exec(out)!;
  return { url, db: createDb({ endpoint: dynamodb[1]!, table: dynamodb[2]! }), output: () => out, exited, proc };
}

export async function stopChildStack(stack: ChildStack | undefined, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  if (!stack || stack.proc.exitCode !== null || stack.proc.signalCode !== null) return;
  stack.proc.kill(signal);
  await stack.exited;
}

export interface Reply {
  status: number;
  body: any;
}

/** One HTTP call to the API, as curl would make it. `token: null` sends none. */
export async function call(base: string, method: string, path: string, body?: unknown, opts: { token?: string | null; raw?: string } = {}): Promise<Reply> {
  const token = opts.token === undefined ? TOKEN : opts.token;
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls until `check` holds, failing with the last value at the deadline. */
export async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 60_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met before the deadline; last: ${JSON.stringify(v)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Every item in the table, sorted by key: "nothing changed" is this, unchanged. */
export async function scanAll(db: Db): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(new ScanCommand({ TableName: db.table, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}
