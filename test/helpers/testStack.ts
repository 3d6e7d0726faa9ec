import { startDynalite } from './dynaliteStore.js';
import { eventually } from './eventually.js';
import { startKubeSim, type KubeSim, type KubeSimOptions } from '../../local/kube-sim/index.js';
import { PHASE_HANDLERS } from '../../local/phaseHandlers.js';
import { createKubernetesDriver } from '../../src/kube/k8sDriver.js';
import { readKubeconfig } from '../../src/kube/kubeconfigSource.js';
import type { ClusterDriver } from '../../src/kube/clusterDriver.js';
import { loadConfig } from '../../src/config.js';
import type { Upgrade } from '../../src/domain/upgrade.js';
import type { PhaseContext } from '../../src/phases/context.js';
import { setPhaseContext } from '../../src/phases/runtime.js';
import { getCluster, putCluster } from '../../src/store/clusters.js';
import { createDb, type Db } from '../../src/store/db.js';
import { ensureTable } from '../../src/store/tableSchema.js';
import { getUpgrade, requireUpgrade } from '../../src/store/upgrades.js';
import type { ControlDeps } from '../../src/upgrades/control.js';
import { LocalWorkflow, type TaskHandler } from '../../src/workflow/localEngine.js';
import { LocalScheduler } from '../../src/workflow/localScheduler.js';
import { MemoryNotifier, type Notifier } from '../../src/notify/notifier.js';
import { statusEffects } from '../../src/upgrades/statusEffects.js';

export interface TestStack {
  db: Db;
  sim: KubeSim;
  driver: ClusterDriver;
  workflow: LocalWorkflow;
  controls: ControlDeps & { scheduler: LocalScheduler };
  ctx: PhaseContext;
  notifier: Notifier;
  clusterId: string;
  upgrade(id: string): Promise<Upgrade>;
  /** Polls until `check` holds on the upgrade (deadline, not a timing assumption). */
  waitForUpgrade(id: string, check: (u: Upgrade) => boolean, timeoutMs?: number): Promise<Upgrade>;
  /** Polls until the cluster holds no upgrade: an upgrade's end is written before the lock goes (a start in between takes the lock as stale). */
  waitForClusterFree(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real pieces in one process: dynalite (in memory), the simulated
 * cluster over HTTPS, the real Kubernetes driver and the real ASL file run
 * by aws-local-stepfunctions with the Lambda handlers.
 */
export async function startTestStack(
  options: {
    sim?: KubeSimOptions;
    env?: Record<string, string>;
    notifier?: Notifier;
    now?: () => string;
    /** wraps the Task handlers the local engine calls (to watch them) */
    wrapHandlers?: (handlers: Record<string, TaskHandler>) => Record<string, TaskHandler>;
  } = {},
): Promise<TestStack> {
  const dyn = await startDynalite();
  const { endpoint } = dyn;
  const env = { TABLE_NAME: 'kupgrade-test', DYNAMODB_ENDPOINT: endpoint, POLL_SECONDS: '1', DRAIN_TIMEOUT_SECONDS: '1800', SOAK_SECONDS: '0', ...options.env };
  const config = loadConfig({ ...process.env, ...env });
  const db = createDb({ table: config.tableName, endpoint });
  await ensureTable(db);
  const notifier = options.notifier ?? new MemoryNotifier();
  db.onUpgradeChange = statusEffects(db, notifier);

  const sim = await startKubeSim({ masters: 3, workers: 20, version: '1.30.4', upgradeMs: 30, rescheduleMs: 20, ...options.sim });
  const driver = createKubernetesDriver(sim.kubeconfig);
  const clusterId = 'c1';
  const now = options.now ?? (() => new Date().toISOString());
  await putCluster(db, {
    id: clusterId,
    name: 'sim',
    version: sim.serverVersion.replace(/^v/, ''),
    kubeconfigRef: `file:${sim.kubeconfigPath}`,
    createdAt: now(),
    updatedAt: now(),
  });

  const ctx: PhaseContext = { config, db, now, driverFor: async (c) => createKubernetesDriver(await readKubeconfig(c.kubeconfigRef)) };
  setPhaseContext(ctx);
  const workflow = new LocalWorkflow({ handlers: options.wrapHandlers ? options.wrapHandlers(PHASE_HANDLERS) : PHASE_HANDLERS, waitMs: 10, retryMs: 10 });
  ctx.workflow = workflow;
  const scheduler = new LocalScheduler(workflow);
  const upgrade = (id: string) => requireUpgrade(db, clusterId, id);
  return {
    db,
    sim,
    driver,
    workflow,
    ctx,
    clusterId,
    upgrade,
    notifier,
    controls: { db, workflow, now, scheduler },
    async waitForUpgrade(id, check, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // an execution started by hand creates its upgrade a moment later
        const u = await getUpgrade(db, clusterId, id);
        if (u && check(u)) return u;
        if (Date.now() > deadline)
          throw new Error(`upgrade ${id} did not reach the expected state; last: ${JSON.stringify(u && { status: u.status, phase: u.phase, error: u.error })}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async waitForClusterFree(timeoutMs = 10_000) {
      await eventually(async () => (await getCluster(db, clusterId))?.activeUpgradeId === undefined, `cluster ${clusterId} to hold no upgrade`, timeoutMs);
    },
    async stop() {
      scheduler.stopAll();
      await workflow.stopAll();
      setPhaseContext(undefined);
      await sim.close();
      await dyn.stop();
    },
  };
}
