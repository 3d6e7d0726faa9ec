// How a user gets the command: npx in the checkout (npm ci runs no build or install script), or a link on the PATH.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sh(command: string, args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<{ code: number | null; out: string }> {
  const { NODE_OPTIONS: _n, ...inherited } = process.env;
  return new Promise((resolve) => {
    const proc = spawn(command, args, { cwd: opts.cwd, env: { ...inherited, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => resolve({ code, out }));
  });
}

describe('the kupgrade command', () => {
  let bin: string;
  beforeAll(async () => {
    bin = await mkdtemp(join(tmpdir(), 'kupgrade-bin-'));
  });
  afterAll(() => rm(bin, { recursive: true, force: true }));

  it('runs with npx in the checkout, with no build step', async () => {
    const run = await sh('npx', ['kupgrade', '--help'], { cwd: ROOT });
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^Usage: kupgrade \[options\] \[command\]/m);
    expect(run.out).toContain('Exit codes:');
    for (const command of ['clusters', 'cluster', 'register', 'unregister', 'check', 'upgrade', 'status', 'pause', 'resume', 'cancel', 'events', 'window'])
      expect(run.out).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('runs from any directory through a symbolic link on the PATH, as the README says', async () => {
    await symlink(join(ROOT, 'bin', 'kupgrade.mjs'), join(bin, 'kupgrade'));
    const run = await sh('kupgrade', ['upgrade', '--help'], { cwd: tmpdir(), env: { PATH: `${bin}:${process.env.PATH}` } });
    expect([run.code, run.out]).toEqual([0, expect.stringContaining('Usage: kupgrade upgrade [options] <name>')]);
  });

  it('exits 0 for help and 2, showing the usage, for no command at all', async () => {
    const kupgrade = (...args: string[]) => sh(process.execPath, ['bin/kupgrade.mjs', ...args], { cwd: ROOT });
    expect((await kupgrade('help', 'status')).code).toBe(0);
    const none = await kupgrade();
    expect([none.code, none.out]).toEqual([2, expect.stringContaining('Usage: kupgrade')]);
  });
});
