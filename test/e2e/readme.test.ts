// The README's walk-through, run as a reader would run it: the block after the "runnable" marker, in bash, from the repository's root.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestCatalogVersion } from '../../src/domain/catalog.js';
import { call, startChildStack, stopChildStack } from './childStack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The fenced block right after `<!-- runnable: … -->`. */
function runnableBlock(): string {
  const marker = README.indexOf('<!-- runnable:');
  if (marker < 0) throw new Error('README.md has no runnable block');
  const m = /```sh\n([\s\S]*?)\n```/.exec(README.slice(marker));
  if (!m) throw new Error('the runnable marker is not followed by a ```sh block');
  return m[1]!;
}

function bash(script: string, env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  const { KUPGRADE_TOKEN: _t, NODE_OPTIONS: _n, PORT: _p, KUPGRADE_DATA_DIR: _d, ...inherited } = process.env;
  return new Promise((resolve) => {
    const proc = spawn('bash', ['-c', script], { cwd: ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** The block's own helpers (api, waitfor), without the rest of it. */
function helpers(): string {
  const block = runnableBlock();
  const api = /^api\(\) \{.*\}$/m.exec(block)![0];
  const waitfor = /^waitfor\(\) \{\n[\s\S]*?\n\}$/m.exec(block)![0];
  return `set -euo pipefail\nKUPGRADE_TOKEN=x\n${api}\n${waitfor}\n`;
}

describe("the README's walk-through", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kupgrade-readme-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('its waitfor', () => {
    let server: Server;
    let answer = '';
    beforeAll(async () => {
      server = createServer((_req, res) => res.end(answer));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));
    const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/versions`;

    it('does not take an empty answer for a match (jq 1.6 -e exits 0 on empty input), and gives up saying so', async () => {
      answer = '';
      const r = await bash(`${helpers()}waitfor ${url()} '.versions | length > 0' 2`, {}, 20_000);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('gave up waiting for');
    });

    it('nor a server that is down, and passes as soon as the answer matches', async () => {
      const down = await bash(`${helpers()}waitfor http://127.0.0.1:${await freePort()}/versions '.versions' 2`, {}, 20_000);
      expect(down.code).not.toBe(0);
      answer = '{"versions": ["1.32.6"]}';
      const up = await bash(`${helpers()}waitfor ${url()} '.versions | length > 0' 5 && echo matched`, {}, 20_000);
      expect([up.code, up.out.trim()]).toEqual([0, 'matched']);
    });
  });

  it('runs as written against the default demo (four batch sizes in one upgrade), stops what it started, and the reset brings the demo back', async () => {
    // Act: the block, with the port and the data directory it may be given (and a faster simulated kubelet)
    const port = await freePort();
    const run = await bash(
      runnableBlock(),
      { PORT: String(port), KUPGRADE_DATA_DIR: dataDir, KUPGRADE_DEMO_UPGRADE_SECONDS: '0.3', POLL_SECONDS: '0.2' },
      900_000,
    );

    // Assess: it ran to the end, and what it printed is what a reader sees
    if (run.code !== 0)
      throw new Error(
        `the walk-through exited ${run.code}:\n${run.out.slice(-4000)}\n--- stack log:\n${readFileSync(join(dataDir, 'stack.log'), 'utf8').slice(-3000)}`,
      );
    const finished = JSON.parse(run.out.split('\n').find((l) => l.startsWith('{"status":"succeeded","startedAt"'))!) as { sizes: number[] };
    expect(finished.sizes.slice(0, 3)).toEqual([1, 2, 4]);
    expect(new Set(finished.sizes).size).toBeGreaterThanOrEqual(4);
    expect(finished.sizes.reduce((a, b) => a + b, 0)).toBe(42);
    expect(run.out).toMatch(/^cancelled$/m);
    expect(run.out.trim().split('\n').at(-1)).toBe('204');
    // nothing left running: both processes gone, their pid files removed, the port free
    expect(existsSync(join(dataDir, 'stack.pid'))).toBe(false);
    expect(existsSync(join(dataDir, 'lab.pid'))).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/versions`)).rejects.toThrow();

    // Act: the documented reset, then a start
    const reset = await bash(`npm run --silent demo:reset -- --data-dir '${dataDir}'`, {}, 120_000);
    expect([reset.code, reset.out]).toEqual([0, expect.stringContaining('the demo cluster is reset')]);
    const stack = await startChildStack(dataDir, { KUPGRADE_DEMO_WORKERS: '42' });
    try {
      // Assess: one minor behind the newest version, free, no window, and it is offered the upgrade again
      const demo = (await call(stack.url, 'GET', '/clusters/demo')).body;
      const [major, minor] = newestCatalogVersion().split('.').map(Number);
      expect(demo).toMatchObject({ version: `${major}.${minor! - 1}.4`, upgrade: null, maintenanceWindow: null });
      expect(demo.availableUpgrades).toContain(newestCatalogVersion());
      expect(demo.nodes.filter((n: { role: string }) => n.role === 'worker')).toHaveLength(42);
    } finally {
      await stopChildStack(stack);
    }
  }, 900_000);
});
