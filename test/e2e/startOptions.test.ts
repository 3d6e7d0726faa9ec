import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildStack, stopChildStack } from './childStack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function start(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const { NODE_OPTIONS: _n, KUPGRADE_TOKEN: _t, ...inherited } = process.env;
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', ...args], {
      cwd: ROOT,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('npm start', () => {
  it('says in one line which port is taken and which setting changes it, and leaves nothing running', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as AddressInfo).port;
    const dir = await mkdtemp(join(tmpdir(), 'kupgrade-busy-'));
    try {
      const r = await start(['--no-demo'], { PORT: String(port), KUPGRADE_DATA_DIR: dir });
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toEqual([
        `npm start: port ${port} on 127.0.0.1 is in use: set PORT to a free one (PORT=3001 npm start), or stop what listens there`,
      ]);
    } finally {
      busy.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('documents its options and settings in --help', async () => {
    const r = await start(['--help'], {});
    expect(r.code).toBe(0);
    for (const word of [
      '--data-dir',
      '--demo-workers',
      '--no-demo',
      'PORT',
      'KUPGRADE_TOKEN',
      'KUPGRADE_VIEWER_TOKEN',
      'POLL_SECONDS',
      'KUPGRADE_DEMO_WORKERS',
    ])
      expect(r.out).toContain(word);
  });

  it('keeps a generated token in a 0600 file of its data directory, and the same token across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kupgrade-token-'));
    try {
      // no KUPGRADE_TOKEN: the stack generates one
      const first = await startChildStack(dir, { KUPGRADE_TOKEN: '' }, ['--no-demo']);
      const token = /^token: (\S+) \(generated/m.exec(first.output())![1]!;
      await stopChildStack(first);
      expect((await stat(join(dir, 'token'))).mode & 0o777).toBe(0o600);
      const second = await startChildStack(dir, { KUPGRADE_TOKEN: '' }, ['--no-demo']);
      expect(second.output()).toContain(`token: ${token} (kept from the last start)`);
      await stopChildStack(second);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
