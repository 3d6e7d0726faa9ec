import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKubeSim, type KubeSim } from '../../local/kube-sim/index.js';
import { FAULT_KINDS, FaultInjector, parseFaultSpec, type FaultCounts } from '../../local/chaos/faults.js';
import { newestCatalogVersion } from '../../src/domain/catalog.js';
import { findSecrets, type SecretPatterns } from './secrets.js';

/**
 * The chaos campaign: upgrades of simulated clusters run by the whole local
 * stack (a child process, as `npm start`) under injected faults, with the
 * stack SIGKILLed and restarted at random moments of one upgrade. The rules
 * are checked while it runs (polling the API and the simulators) and at the end.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'chaos-token-0123456789abcdef';

export interface CampaignOptions {
  upgrades: number;
  workers: number;
  /** KUPGRADE_FAULTS for the stack; its kube rate is applied to the campaign's clusters too */
  faults: string;
  /** SIGKILLs of the stack during one more upgrade (0: none) */
  kills: number;
  /** automatic pauses an operator resumes per upgrade, at most */
  maxResumes: number;
  /** one line per notable thing */
  log?: (line: string) => void;
}

export interface CampaignFigures {
  upgradesRun: number;
  succeeded: number;
  resumes: number;
  faults: FaultCounts;
  kills: number;
  nodesNotAtTarget: number;
  nodesLeftCordoned: number;
  doubleJobs: number;
  lostEvents: number;
  duplicatedEvents: number;
  secretsFound: number;
  /** the canary planted in a copy of what was captured: the search must find it */
  canaryFound: boolean;
  /** rules broken while it ran (more than one active upgrade, a batch off the ramp, a node started while paused, a 5xx) */
  violations: string[];
  seconds: number;
}

interface Child {
  proc: ChildProcess;
  url: string;
  out: () => string;
  exited: Promise<void>;
}

async function startStack(dataDir: string, faults: string, captured: string[]): Promise<Child> {
  const { NODE_OPTIONS: _n, ...inherited } = process.env;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--no-demo'], {
    cwd: ROOT,
    env: {
      ...inherited,
      PORT: '0',
      KUPGRADE_TOKEN: TOKEN,
      KUPGRADE_DATA_DIR: dataDir,
      KUPGRADE_FAULTS: faults,
      POLL_SECONDS: '0.1',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const take = (d: Buffer) => {
    out += d.toString();
    captured.push(d.toString());
  };
  proc.stdout!.on('data', take);
  proc.stderr!.on('data', take);
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  const deadline = Date.now() + 90_000;
  while (!out.includes('Ctrl-C stops it.')) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`the local stack did not start:\n${out.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, url: /^api: (\S+)$/m.exec(out)![1]!, out: () => out, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface UpgradeRun {
  cluster: string;
  sim: KubeSim;
  id?: string;
  resumes: number;
  done: boolean;
  status?: string;
  /** nodes in a batch when a pause was acknowledged (paused seen): no other may start until the resume */
  frozen?: Set<string>;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignFigures> {
  const log = options.log ?? (() => undefined);
  const began = Date.now();
  const spec = parseFaultSpec(options.faults);
  const dataDir = await mkdtemp(join(tmpdir(), 'kupgrade-chaos-'));
  const captured: string[] = [];
  // each rule broken is told once, however many looks saw it
  const broken = new Set<string>();
  const violations = { push: (v: string) => broken.add(v) };
  const kubeFaults = new FaultInjector({ lambda: 0, write: 0, kube: spec.kube, ...(spec.seed !== undefined ? { seed: spec.seed + 1 } : {}) });
  const [major, minor] = newestCatalogVersion().split('.').map(Number);
  const fromVersion = `${major}.${minor! - 1}.4`;
  const cap = Math.max(1, Math.floor(options.workers / 10));
  let stack = await startStack(dataDir, options.faults, captured);
  let kills = 0;

  // every answer of the API is kept for the secret search; a 5xx is a violation
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's answers are read loosely here
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(stack.url + path, {
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        captured.push(text);
        if (res.status >= 500) violations.push(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
        return { status: res.status, body: text ? JSON.parse(text) : undefined };
      } catch (e) {
        // the stack is being killed and restarted: ask again once it is back
        if (attempt > 600) throw e;
        await sleep(100);
      }
    }
  };

  const runs: UpgradeRun[] = [];
  const total = options.upgrades + (options.kills > 0 ? 1 : 0);
  for (let i = 0; i < total; i++) {
    const sim = await startKubeSim({
      masters: 3,
      workers: options.workers,
      version: fromVersion,
      upgradeMs: 150,
      rescheduleMs: 50,
      intercept: (req, res) => kubeFaults.kubeFault(req, res),
    });
    const cluster = `chaos-${i + 1}`;
    // the API reads the cluster when it registers it: a kube fault there is a refusal to try again, as a user would
    for (let attempt = 0; ; attempt++) {
      const r = await api('POST', '/clusters', { name: cluster, kubeconfig: sim.kubeconfig });
      if (r.status === 201 || r.status === 200) break;
      if (r.status === 409 && attempt > 0) break;
      if (attempt > 20) throw new Error(`could not register ${cluster}: ${JSON.stringify(r.body)}`);
      await sleep(200);
    }
    runs.push({ cluster, sim, resumes: 0, done: false });
  }
  const target = (await api('GET', `/clusters/${runs[0]!.cluster}`)).body.availableUpgrades.at(-1) as string;
  log(`${runs.length} clusters of 3 masters and ${options.workers} workers, ${fromVersion} → ${target}, faults ${options.faults}`);

  const startUpgrade = async (run: UpgradeRun) => {
    for (let attempt = 0; ; attempt++) {
      const r = await api('POST', `/clusters/${run.cluster}/upgrades`, { targetVersion: target });
      if (r.status === 202) return void (run.id = r.body.id as string);
      // a start whose execution could not be started is taken back (StartFailed): try again
      if (attempt > 20) throw new Error(`could not start the upgrade of ${run.cluster}: ${JSON.stringify(r.body)}`);
      await sleep(200);
    }
  };

  const jobNodes = (sim: KubeSim) => new Set(sim.audit.filter((a) => a.verb === 'create' && a.resource === 'jobs' && a.code === 201).map((a) => a.name ?? ''));

  /** One look at an upgrade: the rules that hold while it runs, and the operator's resume. */
  const watch = async (run: UpgradeRun) => {
    if (run.done || !run.id) return;
    const list = await api('GET', `/clusters/${run.cluster}/upgrades`);
    const active = (list.body.upgrades as { status: string }[]).filter((u) => !['succeeded', 'failed', 'cancelled', 'expired'].includes(u.status));
    if (active.length > 1) violations.push(`${run.cluster}: ${active.length} active upgrades`);
    const u = (await api('GET', `/clusters/${run.cluster}/upgrades/${run.id}`)).body;
    run.status = u.status;
    // the ramp: 1 after each resume (and at the start), doubling, capped at 10% of the workers
    // the view's batches are the worker batches (the masters go one by one)
    const workerBatches = u.batches as { size: number; rampRestart: boolean; index: number }[];
    let prev = 0;
    let done = 0;
    for (const b of workerBatches) {
      const expected = Math.min(prev === 0 || b.rampRestart ? 1 : prev * 2, cap, options.workers - done);
      if (b.size > expected || (b.size < expected && b !== workerBatches.at(-1)))
        violations.push(`${run.cluster}: batch ${b.index} has ${b.size} nodes, the ramp says ${expected}`);
      prev = b.size;
      done += b.size;
    }
    // no node starts while the upgrade is paused: the Jobs created are the ones already there when the pause was seen
    if (u.status === 'paused') {
      const jobs = jobNodes(run.sim);
      if (!run.frozen) run.frozen = jobs;
      else for (const j of jobs) if (!run.frozen.has(j)) violations.push(`${run.cluster}: job ${j} created while the upgrade was paused`);
      if (run.resumes >= options.maxResumes) {
        run.done = true;
        log(`${run.cluster}: paused a ${run.resumes + 1}th time (${u.error?.reason}: ${u.error?.message}); past --max-resumes`);
        return;
      }
      // re-read the Jobs after the resume is accepted, not before: the check above stops here
      const r = await api('POST', `/clusters/${run.cluster}/upgrades/${run.id}/resume`);
      if (r.status === 202) {
        run.resumes++;
        run.frozen = undefined;
        log(`${run.cluster}: resumed after ${u.error?.reason ?? 'a pause'} (${run.resumes}): ${String(u.error?.message ?? '').slice(0, 200)}`);
      }
      return;
    }
    if (['succeeded', 'failed', 'cancelled', 'expired'].includes(u.status)) run.done = true;
  };

  const follow = async (batch: UpgradeRun[], deadlineMs: number) => {
    const deadline = Date.now() + deadlineMs;
    while (batch.some((r) => !r.done)) {
      if (Date.now() > deadline)
        throw new Error(`upgrades still running at the deadline: ${batch.filter((r) => !r.done).map((r) => `${r.cluster} ${r.status}`)}`);
      for (const r of batch) await watch(r);
      await sleep(150);
    }
  };

  const main = runs.slice(0, options.upgrades);
  for (const r of main) await startUpgrade(r);
  await follow(main, 20 * 60_000);

  // the kills: one more upgrade, the whole stack SIGKILLed at random moments and started again each time
  const killed = runs[options.upgrades];
  if (killed) {
    await startUpgrade(killed);
    for (let k = 0; k < options.kills && !killed.done; k++) {
      const until = Date.now() + 300 + Math.random() * 2500;
      while (Date.now() < until && !killed.done) {
        await watch(killed);
        await sleep(100);
      }
      if (killed.done) break;
      stack.proc.kill('SIGKILL');
      await stack.exited;
      kills++;
      log(`kill ${kills}: the stack SIGKILLed with ${killed.cluster} ${killed.status}`);
      stack = await startStack(dataDir, options.faults, captured);
    }
    await follow([killed], 10 * 60_000);
  }

  // the end: every upgrade succeeded, every node at the target and schedulable, no Job twice, every event once
  let succeeded = 0;
  let nodesNotAtTarget = 0;
  let nodesLeftCordoned = 0;
  let doubleJobs = 0;
  let lostEvents = 0;
  let duplicatedEvents = 0;
  for (const run of runs) {
    const u = (await api('GET', `/clusters/${run.cluster}/upgrades/${run.id}`)).body;
    if (u.status === 'succeeded') succeeded++;
    else log(`${run.cluster}: ended ${u.status} (${u.error?.reason}: ${u.error?.message})`);
    for (const n of run.sim.objects('nodes')) {
      const info = (n.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo;
      if (info.kubeletVersion !== `v${target}`) {
        nodesNotAtTarget++;
        log(`${run.cluster}: node ${n.metadata.name} runs ${info.kubeletVersion} after the upgrade ended ${u.status}`);
      }
      if ((n.spec as { unschedulable?: boolean }).unschedulable) nodesLeftCordoned++;
    }
    // a node's upgrade ran twice only if its first Job failed (none fails here)
    for (const [node, times] of Object.entries(run.sim.upgradesPerNode()))
      if (times > 1) {
        doubleJobs++;
        log(`${run.cluster}: node ${node} upgraded ${times} times`);
      }
    const events: { at: string; type: string; message: string; node?: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = (await api('GET', `/clusters/${run.cluster}/upgrades/${run.id}/events?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)).body;
      events.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor);
    const seen = new Map<string, number>();
    for (const e of events) seen.set(JSON.stringify(e), (seen.get(JSON.stringify(e)) ?? 0) + 1);
    for (const [e, times] of seen)
      if (times > 1) {
        duplicatedEvents += times - 1;
        log(`${run.cluster}: event written ${times} times: ${e}`);
      }
    // every node's upgrade is told once: cordoned, drained, its Job, upgraded
    for (const n of run.sim.objects('nodes')) {
      for (const type of ['NodeCordoned', 'NodeDrained', 'JobStarted', 'NodeUpgraded']) {
        const count = events.filter((e) => e.node === n.metadata.name && e.type === type).length;
        if (count === 0) {
          lostEvents++;
          log(`${run.cluster}: no ${type} event for node ${n.metadata.name}`);
        } else if (type === 'NodeUpgraded' && count > 1) duplicatedEvents += count - 1;
      }
    }
    const resumedEvents = events.filter((e) => e.type === 'UpgradeResumed').length;
    if (resumedEvents !== run.resumes) {
      lostEvents += Math.max(0, run.resumes - resumedEvents);
      duplicatedEvents += Math.max(0, resumedEvents - run.resumes);
      log(`${run.cluster}: ${run.resumes} resumes, ${resumedEvents} UpgradeResumed events`);
    }
  }

  stack.proc.kill('SIGINT');
  await stack.exited;
  const counts = JSON.parse(await readFile(join(dataDir, 'faults.json'), 'utf8').catch(() => '{}')) as { faults?: Partial<FaultCounts> };
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, (counts.faults?.[k] ?? 0) + kubeFaults.counts[k]])) as FaultCounts;
  // kube-sim's own 'kube-*' counts include the stack's none (no demo): the sum is the campaign's clusters

  // secrets: the stack's logs, every API answer, every event, searched for kubeconfig material
  const patterns: SecretPatterns = {
    tokens: runs.map((r) => r.sim.token),
    caData: runs.map((r) => Buffer.from(r.sim.caCert).toString('base64')),
  };
  const corpus = captured.join('\n');
  const secretsFound = findSecrets(corpus, patterns).length;
  const canaryFound = findSecrets(`${corpus}\nclient-key-data: ${Buffer.from('canary').toString('base64')}\n`, patterns).length > secretsFound;

  for (const r of runs) await r.sim.close();
  await rm(dataDir, { recursive: true, force: true });
  return {
    upgradesRun: runs.length,
    succeeded,
    resumes: runs.reduce((n, r) => n + r.resumes, 0),
    faults,
    kills,
    nodesNotAtTarget,
    nodesLeftCordoned,
    doubleJobs,
    lostEvents,
    duplicatedEvents,
    secretsFound,
    canaryFound,
    violations: [...broken],
    seconds: Math.round((Date.now() - began) / 1000),
  };
}
