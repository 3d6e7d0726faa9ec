import '../src/workflow/polyfills.js';
import dynalite from 'dynalite';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { createKubernetesDriver } from '../src/kube/k8sDriver.js';
import { readKubeconfig } from '../src/kube/kubeconfigSource.js';
import { loadConfig, type Config } from '../src/config.js';
import { isActive } from '../src/domain/upgradeStatus.js';
import type { PhaseContext } from '../src/phases/context.js';
import { setPhaseContext } from '../src/phases/runtime.js';
import { getCluster, listClusters, putCluster } from '../src/store/clusters.js';
import { createDb, type Db } from '../src/store/db.js';
import { claimIdentity } from '../src/store/identities.js';
import { ensureTable } from '../src/store/tableSchema.js';
import { listUpgrades } from '../src/store/upgrades.js';
import { LocalWorkflow } from '../src/workflow/localEngine.js';
import { setApiContext } from '../src/api/context.js';
import { startKubeSim, type KubeSim } from './kube-sim/index.js';
import { localApiContext } from './http/localApiContext.js';
import { startApiServer, type LocalApiServer } from './http/server.js';
import { buildConsole } from '../console/build.js';
import { PHASE_HANDLERS } from './phaseHandlers.js';
import { startSweeper } from './sweeper.js';
import type { FaultInjector } from './chaos/faults.js';
import { LocalScheduler } from '../src/workflow/localScheduler.js';
import { MemoryNotifier, type StatusChange } from '../src/notify/notifier.js';
import { statusEffects } from '../src/upgrades/statusEffects.js';

// The pinned SDK runs on Node 20; its notice about future releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface LocalStackOptions {
  dataDir: string;
  /** wait between polls, in ms (the deployed machine waits POLL_SECONDS) */
  pollMs: number;
  demo?: { masters: number; workers: number; version: string; upgradeMs: number; gracePeriodScale?: number };
  /** the HTTP API on 127.0.0.1 (or host), behind a bearer token */
  http?: { port: number; token: string; viewerToken?: string; host?: string; console?: boolean };
  /** how often paused upgrades past their expiry are closed (the deployed schedule runs hourly) */
  sweepSeconds?: number;
  /** told of every status change, as EventBridge would be when deployed */
  onStatusChange?: (change: StatusChange) => void;
  /** KUPGRADE_FAULTS: phase functions, their store writes and the demo cluster fail at random (local/chaos/faults.ts) */
  faults?: FaultInjector;
}

export interface LocalStack {
  db: Db;
  config: Config;
  workflow: LocalWorkflow;
  scheduler: LocalScheduler;
  /** every status change published, in order */
  notifier: MemoryNotifier;
  demo?: KubeSim;
  api?: LocalApiServer;
  dynamodbEndpoint: string;
  /** executions started again for upgrades that were running when the stack last stopped */
  resumed: string[];
  stop(): Promise<void>;
}

/**
 * Everything `npm start` runs in one process: dynalite with its data on disk,
 * the real state machine file under aws-local-stepfunctions calling the
 * Lambda handlers, and a simulated demo cluster.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
  const dyn = dynalite({ path: join(dataDir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((res, rej) => {
    dyn.once('error', rej);
    dyn.listen(0, '127.0.0.1', () => res());
  });
  const dynamodbEndpoint = `http://127.0.0.1:${(dyn.address() as AddressInfo).port}`;
  // Locally a batch is validated with no soak between the two looks unless asked for.
  // The local engine waits pollMs (fractions of a second in tests); the config's whole seconds only label the steps.
  const pollSeconds = String(Math.max(1, Math.ceil(options.pollMs / 1000)));
  const config = loadConfig({
    SOAK_SECONDS: '0',
    ...process.env,
    POLL_SECONDS: pollSeconds,
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    TABLE_NAME: process.env.TABLE_NAME ?? 'kupgrade',
    // two local stacks with their own data keep apart on the Lease they hold a cluster with
    KUPGRADE_INSTALLATION: process.env.KUPGRADE_INSTALLATION ?? `local:${hostname()}:${dataDir}`,
  });
  const db = createDb({ table: config.tableName, endpoint: dynamodbEndpoint });
  await ensureTable(db);
  const notifier = new MemoryNotifier(options.onStatusChange);
  db.onUpgradeChange = statusEffects(db, notifier);

  const ctx: PhaseContext = {
    config,
    db,
    notifier,
    now: () => new Date().toISOString(),
    driverFor: async (c) => createKubernetesDriver(await readKubeconfig(c.kubeconfigRef)),
  };
  setPhaseContext(ctx);
  options.faults?.wrapDb(db);
  const handlers = options.faults ? options.faults.wrapHandlers(PHASE_HANDLERS) : PHASE_HANDLERS;
  const workflow = new LocalWorkflow({ handlers, waitMs: options.pollMs });
  // a long upgrade goes on in a new execution: the phase steps start it on the same engine
  ctx.workflow = workflow;
  const scheduler = new LocalScheduler(workflow);

  let demo: KubeSim | undefined;
  if (options.demo) {
    // The demo cluster's objects live in the data directory too, so it survives a restart as a real cluster would.
    const faults = options.faults;
    demo = await startKubeSim({
      ...options.demo,
      ...(faults ? { intercept: (req, res) => faults.kubeFault(req, res) } : {}),
      kubeconfigPath: join(dataDir, 'demo', 'kubeconfig'),
      statePath: join(dataDir, 'demo', 'cluster.json'),
    });
    await registerDemo(db, demo);
  }
  setApiContext(localApiContext({ db, workflow, scheduler, dataDir }));
  // A client on this machine (the CLI, a script) finds the token here; only the user who started the stack may read it.
  const tokenFile = join(dataDir, 'token');
  if (options.http) await writeFile(tokenFile, `${options.http.token}\n`, { mode: 0o600 });
  let api: LocalApiServer | undefined;
  try {
    const { console: withConsole, ...http } = options.http ?? { port: 0, token: '' };
    // the console is built once, at start (a build error stops the start, saying so), and served from memory
    const files = withConsole ? await buildConsole() : undefined;
    api = options.http ? await startApiServer({ ...http, tokenFile, ...(files ? { console: () => Promise.resolve(files) } : {}) }) : undefined;
  } catch (err) {
    // nothing half-started stays behind: the caller says what went wrong and exits
    await workflow.stopAll();
    await demo?.close();
    setApiContext(undefined);
    setPhaseContext(undefined);
    await new Promise<void>((res) => dyn.close(() => res()));
    throw err;
  }
  const resumed = await carryOnRunningUpgrades(db, workflow, scheduler);
  const sweeper = startSweeper(ctx, options.sweepSeconds ?? Number(process.env.SWEEP_SECONDS ?? 60));

  return {
    db,
    config,
    workflow,
    scheduler,
    notifier,
    demo,
    api,
    dynamodbEndpoint,
    resumed,
    async stop() {
      sweeper.stop();
      scheduler.stopAll();
      await api?.close();
      await workflow.stopAll();
      await demo?.close();
      setApiContext(undefined);
      setPhaseContext(undefined);
      await new Promise<void>((res) => dyn.close(() => res()));
    },
  };
}

async function registerDemo(db: Db, sim: KubeSim): Promise<void> {
  if (await getCluster(db, 'demo')) return;
  const now = new Date().toISOString();
  const identity = sim.object('namespaces', undefined, 'kube-system')?.metadata.uid;
  if (identity) await claimIdentity(db, identity, 'demo', now);
  await putCluster(db, {
    id: 'demo',
    name: 'demo',
    version: sim.serverVersion.replace(/^v/, ''),
    ...(identity ? { identity } : {}),
    kubeconfigRef: `file:${sim.kubeconfigPath}`,
    createdAt: now,
    updatedAt: now,
  });
}

/**
 * An upgrade that was running or pausing when the stack stopped continues in
 * a new local execution; a scheduled one gets its timer back.
 */
async function carryOnRunningUpgrades(db: Db, workflow: LocalWorkflow, scheduler: LocalScheduler): Promise<string[]> {
  const started: string[] = [];
  for (const cluster of await listClusters(db)) {
    for (const u of await listUpgrades(db, cluster.id)) {
      if (u.status === 'scheduled') {
        await scheduler.scheduleStart({ name: u.id, at: u.scheduledAt ?? new Date().toISOString(), input: { clusterId: u.clusterId, upgradeId: u.id } });
        continue;
      }
      if (!isActive(u.status) || (u.status === 'paused' && !u.cancelRequested)) continue;
      const name = `${u.id}-restart-${Date.now()}`;
      await workflow.startExecution({ name, input: { clusterId: u.clusterId, upgradeId: u.id } });
      started.push(u.id);
    }
  }
  return started;
}
