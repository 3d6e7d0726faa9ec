// The kupgrade command line as a user runs it: bin/kupgrade.mjs in its own process, no terminal,
// against the local stack in a child process (its token read from the file the stack writes).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeSim, type KubeSim } from '../../local/kube-sim/index.js';
import { newestCatalogVersion } from '../../src/domain/catalog.js';
import { ANSI, runCli, type CliRun } from '../helpers/cli.js';
import { annotateNode, pinUnevictablePod } from '../helpers/simOps.js';
import { call, startChildStack, stopChildStack, until, type ChildStack } from './childStack.js';

// a paused upgrade expires this long after its pause: the last test waits for one to
const EXPIRY_SECONDS = 20;
const TARGET = newestCatalogVersion();
const [MAJOR, MINOR] = TARGET.split('.').map(Number);
const BEHIND = `${MAJOR}.${MINOR! - 1}.4`;

let stack: ChildStack;
let dataDir: string;
const sims = new Map<string, KubeSim>();

const kupgrade = (...args: string[]): Promise<CliRun> => runCli(['--interval', '0.1', ...args], { KUPGRADE_URL: stack.url, KUPGRADE_DATA_DIR: dataDir });
const json = (run: CliRun) => JSON.parse(run.stdout);
const api = (method: string, path: string, body?: unknown) => call(stack.url, method, path, body);
const upgradeOf = async (cluster: string) => (await api('GET', `/clusters/${cluster}/upgrades`)).body.upgrades[0];

/** A simulated cluster of its own for a scenario, registered with the CLI. */
async function simCluster(name: string, options: { workers: number; upgradeMs: number }): Promise<KubeSim> {
  const sim = await startKubeSim({ masters: 1, workers: options.workers, version: BEHIND, upgradeMs: options.upgradeMs, rescheduleMs: 20, workload: 'none' });
  sims.set(name, sim);
  const run = await kupgrade('register', name, '--kubeconfig', sim.kubeconfigPath, '-o', 'json');
  expect([run.code, json(run).version]).toEqual([0, BEHIND]);
  return sim;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kupgrade-e2e-cli-'));
  // a demo of 5 workers: batches of 1, five of them, enough to follow and quick to run
  stack = await startChildStack(dataDir, { UPGRADE_EXPIRY_SECONDS: String(EXPIRY_SECONDS), SWEEP_SECONDS: '1', KUPGRADE_DEMO_WORKERS: '5' });
}, 90_000);

afterAll(async () => {
  await stopChildStack(stack);
  await Promise.all([...sims.values()].map((s) => s.close()));
  await rm(dataDir, { recursive: true, force: true });
});

describe('kupgrade against the local stack', () => {
  it('upgrades the demo with --yes --wait -o json: exit 0, the final upgrade on stdout, one plain line per change on stderr', async () => {
    // Prepare: the version to go to, as a script finds it
    const listed = await kupgrade('clusters', '-o', 'json');
    const demo = json(listed).clusters.find((c: { id: string }) => c.id === 'demo');
    const next = demo.availableUpgrades[0] as string;

    // Act
    const run = await kupgrade('upgrade', 'demo', '--to', next, '--yes', '--wait', '-o', 'json');

    // Assess
    expect(run.code).toBe(0);
    const final = json(run);
    expect(final).toMatchObject({ clusterId: 'demo', toVersion: next, status: 'succeeded', phase: 'done', nodes: { total: 5, upgraded: 5 } });
    expect(run.stderr).toContain('Upgrade check of demo');
    expect(run.stderr).toMatch(/^\d\d:\d\d:\d\d demo\/upg-\S+ workers 5\/5 \(100%\)$/m);
    expect(run.stderr).toMatch(/succeeded in /);
    // a line is printed when its fact changed, not at every look
    expect(run.stderr.split('\n').filter((l) => l.endsWith(' workers 1/5 (20%)'))).toHaveLength(1);
    expect(run.stdout + run.stderr).not.toMatch(ANSI);

    const table = await kupgrade('clusters');
    expect(table.stdout).toMatch(/^NAME\s+VERSION\s+UPGRADE AVAILABLE\s+STATUS$/m);
    expect(table.stdout).toMatch(new RegExp(`^demo\\s+${next.replace(/\./g, '\\.')}\\s+${TARGET.replace(/\./g, '\\.')}\\s+idle$`, 'm'));
    const detail = await kupgrade('cluster', 'demo');
    expect(detail.stdout).toMatch(new RegExp(`^worker-5\\s+worker\\s+${next.replace(/\./g, '\\.')}\\s+yes\\s+-$`, 'm'));
  });

  it('exits 2 on a usage error, and 8 on an API error with its message and remedy', async () => {
    for (const args of [
      ['upgrade', 'demo'],
      ['clusters', '-o', 'xml'],
      ['frobnicate'],
      ['window', 'demo', 'set', '--days', 'funday', '--start', '01:00', '--end', '05:00'],
    ]) {
      const run = await kupgrade(...args);
      expect([args, run.code]).toEqual([args, 2]);
      expect(run.stderr).not.toBe('');
    }
    // a change without --yes and no terminal to ask on
    const unasked = await kupgrade('upgrade', 'demo', '--to', TARGET);
    expect([unasked.code, unasked.stderr]).toEqual([2, expect.stringContaining('pass --yes')]);

    const unknown = await kupgrade('status', 'nope');
    expect(unknown.code).toBe(8);
    expect(unknown.stderr).toMatch(/^error: no cluster with id nope$/m);
    expect(unknown.stderr).toMatch(/^remedy: \S/m);
    const asJson = await kupgrade('cluster', 'nope', '-o', 'json');
    expect([asJson.code, json(asJson).error]).toEqual([8, expect.objectContaining({ status: 404, code: 'NotFound', remedy: expect.any(String) })]);

    const down = await runCli(['clusters'], { KUPGRADE_URL: 'http://127.0.0.1:9', KUPGRADE_TOKEN: 'x'.repeat(20) });
    expect([down.code, down.stderr]).toEqual([8, expect.stringContaining('cannot reach the API at http://127.0.0.1:9')]);
  });

  it('fails a check that fails (exit 1), refuses to start on it, and a failed upgrade exits 1 with the checks that failed', async () => {
    // Prepare: a budget that allows no disruption, before the upgrade
    const sim = await simCluster('lab', { workers: 3, upgradeMs: 100 });
    await pinUnevictablePod(sim, 'worker-1');

    const check = await kupgrade('check', 'lab', '--to', TARGET);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^Upgrade check of lab for \S+: failed/m);
    expect(check.stdout).toMatch(/\[fail\] pdb-blockers .*pinned-never/);
    expect(check.stdout).toMatch(/remedy: allow at least one disruption/);
    expect(check.stdout).toMatch(/^Plan:\n {2}masters, one at a time: master-1\n {2}workers: 3 in 3 batches of 1, 1, 1$/m);

    const refused = await kupgrade('upgrade', 'lab', '--to', TARGET, '--yes');
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('the upgrade is not started')]);
    expect((await api('GET', '/clusters/lab/upgrades')).body.upgrades).toEqual([]);

    const failed = await kupgrade('upgrade', 'lab', '--to', TARGET, '--yes', '--no-check', '--wait');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^Status:\s+failed$/m);
    expect(failed.stdout).toMatch(/^Failed pdb-blockers:\s+PDBs that allow no disruption/m);
    expect((await kupgrade('status', 'lab')).code).toBe(1);
  });

  it('exits 3 when an error pauses the upgrade, shows the error, its remedy and the expiry, and 6 once cancelled', async () => {
    // Prepare: the master's upgrade Job fails
    // slow enough (3 s) that a watch started after it sees it move
    const sim = await simCluster('broken', { workers: 2, upgradeMs: 3000 });
    await annotateNode(sim, 'master-1', { 'kupgrade.io/sim-fail-upgrade': 'true' });

    const run = await kupgrade('upgrade', 'broken', '--to', TARGET, '--yes', '--wait', '-o', 'json');
    expect(run.code).toBe(3);
    const paused = json(run);
    expect(paused).toMatchObject({ status: 'paused', error: { node: 'master-1', remedy: expect.any(String) } });

    const status = await kupgrade('status', 'broken');
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/^= Control plane =\nAssessment:\s+Stopped \(paused\)\nCompletion:\s+0 of 1 masters/m);
    expect(status.stdout).toMatch(/^= Health =\nStatus:\s+paused by an error \(masters\)$/m);
    expect(/^Error:\s+(.*)$/m.exec(status.stdout)?.[1]).toBe(`${paused.error.reason} on master-1: ${paused.error.message}`);
    expect(/^Remedy:\s+(.*)$/m.exec(status.stdout)?.[1]).toBe(paused.error.remedy);
    expect(status.stdout).toMatch(/^Expires:\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(in \d+s\) unless resumed/m);

    const cancelled = await kupgrade('cancel', 'broken', '--wait');
    expect(cancelled.code).toBe(6);
    expect(cancelled.stdout).toMatch(/^Status:\s+cancelled$/m);
    expect((await kupgrade('status', 'broken', '-o', 'yaml')).code).toBe(6);
  });

  it('watches an upgrade as JSON lines, and follows its events to the end', async () => {
    const started = await kupgrade('upgrade', 'broken', '--to', TARGET, '--yes', '-o', 'json');
    expect([started.code, json(started).status]).toEqual([0, 'running']);

    const watch = await kupgrade('status', 'broken', '--watch', '-o', 'json');
    expect(watch.code).toBe(3);
    const items = watch.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(items.length).toBeGreaterThan(1);
    expect(items.every((u) => u.id === json(started).id)).toBe(true);
    expect(items.at(-1)).toMatchObject({ status: 'paused', error: { node: 'master-1' } });

    expect((await kupgrade('cancel', 'broken')).code).toBe(0);
    const events = await kupgrade('events', 'broken', '--follow');
    expect(events.code).toBe(6);
    expect(events.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}\S+ .*\(by local:operator\)$/m);
    const listed = await kupgrade('events', 'broken', '-o', 'json');
    expect(json(listed).events.length).toBe(events.stdout.trim().split('\n').length);
  });

  it('shows a running upgrade in sections, refuses to cancel it (exit 4, with the remedy), and exits 5 once paused on request', async () => {
    // Prepare: once the precheck has passed, a budget that allows nothing holds the first worker's drain
    const sim = await simCluster('slow', { workers: 4, upgradeMs: 1500 });
    const started = await kupgrade('upgrade', 'slow', '--to', TARGET, '--yes', '-o', 'json');
    expect(started.code).toBe(0);
    const planned = await until(
      () => upgradeOf('slow'),
      (u) => u.phase !== 'precheck',
    );
    await pinUnevictablePod(sim, planned.plan.batches[0][0]);
    await until(
      () => upgradeOf('slow'),
      (u) => u.currentBatch?.nodes[0]?.waitingFor?.reason === 'DrainBlocked',
    );

    const status = await kupgrade('status', 'slow');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Upgrade upg-\S+ of slow: \S+ → \S+, running \(nodes\), started (?:\d+m(?: \d+s)?|\d+s) ago$/m);
    expect(status.stdout).toMatch(/^= Control plane =\nAssessment:\s+Completed\nCompletion:\s+1 of 1 masters at /m);
    expect(status.stdout).toMatch(
      /^= Workers =\nProgress:\s+\[-+\] 0\/4 \(0%\)\nBatches:\s+0 of 4 done; batch 1 running \(1 node\); next: 1, 1, 1\nETA:\s+after the first batch$/m,
    );
    expect(status.stdout).toMatch(
      /^= Current batch: workers, batch 1 of 4, started (?:\d+m(?: \d+s)?|\d+s) ago =\nNODE\s+ROLE\s+STEP\s+ELAPSED\s+WAITING FOR$/m,
    );
    expect(status.stdout).toMatch(
      new RegExp(
        `^${planned.plan.batches[0][0]}\\s+worker\\s+draining\\s+(?:\\d+m(?: \\d+s)?|\\d+s)\\s+DrainBlocked poddisruptionbudget/default/pinned-never: .*\\(pauses in (?:30m|2\\dm)`,
        'm',
      ),
    );
    expect(status.stdout).toMatch(/^= Health =\nStatus:\s+running \(nodes\)$/m);

    const cancel = await kupgrade('cancel', 'slow');
    const refusal = (await api('POST', `/clusters/slow/upgrades/${planned.id}/cancel`)).body.error;
    expect(cancel.code).toBe(4);
    expect(cancel.stderr).toBe(`error: ${refusal.message}\nremedy: ${refusal.remedy}\n`);

    // the pause waits for the node in flight, whose drain goes on once the budget is gone
    const pausing = kupgrade('pause', 'slow', '--wait');
    await until(
      () => upgradeOf('slow'),
      (u) => u.status === 'pausing',
    );
    expect((await sim.request('DELETE', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/pinned-never')).status).toBe(200);
    const paused = await pausing;
    expect(paused.code).toBe(5);
    expect(paused.stdout).toMatch(/^Status:\s+paused on request \(nodes\)$/m);
    expect(paused.stdout).toMatch(/^Progress:\s+\[#+-+\] 1\/4 \(25%\)$/m);
    expect((await kupgrade('status', 'slow')).code).toBe(5);
    const busy = await kupgrade('unregister', 'slow');
    expect([busy.code, busy.stderr]).toEqual([4, expect.stringMatching(/^error: .*\nremedy: /)]);
  });

  it('schedules an upgrade with --at, cancels it (then status exits 6), sets and clears a window, unregisters', async () => {
    const scheduled = await kupgrade('upgrade', 'lab', '--to', TARGET, '--yes', '--no-check', '--at', '+1h', '-o', 'json');
    expect([scheduled.code, json(scheduled).status]).toEqual([0, 'scheduled']);
    expect(Date.parse(json(scheduled).scheduledAt) - Date.now()).toBeGreaterThan(3_500_000);
    const status = await kupgrade('status', 'lab');
    // an hour less the time since it was scheduled, to the second: "in 59m 58s", or "in 1h" when under half a second went by
    expect([status.code, status.stdout]).toEqual([0, expect.stringMatching(/^Status:\s+scheduled for \S+ \S+ \(in (?:59m(?: \d+s)?|1h)\)$/m)]);
    expect((await kupgrade('cancel', 'lab', '-o', 'json')).code).toBe(0);
    expect((await kupgrade('status', 'lab')).code).toBe(6);

    const set = await kupgrade('window', 'lab', 'set', '--days', 'sat,sun', '--start', '01:00', '--end', '05:00', '--tz', 'UTC', '-o', 'json');
    expect([set.code, json(set).maintenanceWindow]).toEqual([0, { days: ['sat', 'sun'], start: '01:00', end: '05:00', timeZone: 'UTC' }]);
    const shown = await kupgrade('window', 'lab', 'set', '--days', 'mon-fri', '--start', '22:00', '--end', '02:00', '--tz', 'Europe/Paris');
    expect(shown.stdout).toMatch(/^Maintenance window:\s+mon,tue,wed,thu,fri 22:00–02:00 Europe\/Paris$/m);
    const cleared = await kupgrade('window', 'lab', 'clear', '-o', 'json');
    expect([cleared.code, json(cleared).maintenanceWindow]).toEqual([0, null]);

    expect((await kupgrade('unregister', 'lab')).code).toBe(0);
    expect((await kupgrade('cluster', 'lab')).code).toBe(8);
  });

  it('exits 7 for an upgrade left paused past its expiry', async () => {
    const run = await until(
      () => kupgrade('status', 'slow'),
      // read as expired once past its expiry, then closed by the next sweep, which records why
      (r) => r.code !== 5 && /^Error:/m.test(r.stdout),
      (EXPIRY_SECONDS + 30) * 1000,
      500,
    );
    expect(run.code).toBe(7);
    expect(run.stdout).toMatch(/^Status:\s+expired$/m);
    expect(run.stdout).toMatch(/^Error:\s+Expired: /m);
  });
});
