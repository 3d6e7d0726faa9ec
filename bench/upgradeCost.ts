// What an upgrade costs on AWS, from counts measured on the local engine: the
// real ASL file run by aws-local-stepfunctions, the real phase handlers, the
// real Kubernetes driver against the simulated cluster, dynalite. It counts
// state transitions, Lambda invocations (per Task), DynamoDB requests, EventBridge
// events and Kubernetes API requests, and the polls each batch took; then
// projects them to deployed settings and public prices, and checks the
// headroom against Step Functions' 25,000-event history limit for a
// 5,000-node cluster. It prints counts and ratios; nothing here is timed
// against a threshold.
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';
import { startKubeSim } from '../local/kube-sim/index.js';
import { PHASE_HANDLERS } from '../local/phaseHandlers.js';
import { createKubernetesDriver } from '../src/kube/k8sDriver.js';
import { readKubeconfig } from '../src/kube/kubeconfigSource.js';
import { loadConfig } from '../src/config.js';
import { planBatchSizes } from '../src/domain/batchPlan.js';
import { MemoryNotifier } from '../src/notify/notifier.js';
import type { PhaseContext } from '../src/phases/context.js';
import { setPhaseContext } from '../src/phases/runtime.js';
import { getBatch, listBatches } from '../src/store/batches.js';
import { putCluster } from '../src/store/clusters.js';
import { createDb } from '../src/store/db.js';
import type { NodeProgress } from '../src/domain/upgrade.js';
import { ensureTable } from '../src/store/tableSchema.js';
import { getUpgrade, requireUpgrade } from '../src/store/upgrades.js';
import { startUpgrade } from '../src/upgrades/control.js';
import { statusEffects } from '../src/upgrades/statusEffects.js';
import { LocalWorkflow, type TaskHandler } from '../src/workflow/localEngine.js';

/** Public prices, us-east-1 (checked 2025): label every figure derived from them as an estimate. */
export const PRICES = {
  /** Step Functions Standard, per state transition ($0.025 per 1,000) */
  transition: 0.025 / 1000,
  /** Lambda, per request ($0.20 per 1M) */
  lambdaRequest: 0.2 / 1_000_000,
  /** Lambda arm64, per GB-second */
  lambdaGbSecond: 0.0000133334,
  /** DynamoDB on-demand, per write request unit ($0.625 per 1M) and read request unit ($0.125 per 1M) */
  dynamoWrite: 0.625 / 1_000_000,
  dynamoRead: 0.125 / 1_000_000,
};
export const LAMBDA_MEMORY_GB = 0.5;
export const HISTORY_LIMIT = 25_000;

/** Execution history events per state entered, as Step Functions Standard writes them. */
function historyEventsPerState(type: string): number {
  // Task: TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionSucceeded, TaskStateExited
  if (type === 'Task') return 5;
  // Choice, Wait, Succeed, Pass: …StateEntered, …StateExited (Fail: entered, then ExecutionFailed)
  return 2;
}

/** One Task call: which, what it returned, and the Kubernetes requests, DynamoDB writes and state transitions it took. */
export interface StepRecord {
  fn: string;
  phase: string;
  /** the step polls again: a batch (or a wait) in flight */
  wait: boolean;
  /** the batch in flight when the step began (null at a boundary), and the nodes of the one in flight when it ended (0 between batches) */
  batchAtStart: number | null;
  batchNodes: number;
  /** that batch's nodes as stored when the step ended (step, since, what each waits for) */
  nodes: NodeProgress[];
  requests: { method: string; path: string; query: Record<string, string> }[];
  dynamoWrites: number;
  /** states entered since the previous Task call began, this Task included */
  transitions: number;
  /** when the call began, ms since the upgrade started, and how long it took */
  atMs: number;
  ms: number;
}

export interface UpgradeMeasure {
  masters: number;
  workers: number;
  workload: 'demo' | 'none';
  wallSeconds: number;
  /** StateEntered events by state type */
  statesByType: Record<string, number>;
  transitions: number;
  /** entries into the Poll Wait state: one per poll of a step in flight */
  polls: number;
  historyEvents: number;
  executions: number;
  invocations: Record<string, { count: number; totalMs: number }>;
  dynamo: { reads: number; writes: number };
  eventBridgeEvents: number;
  kubernetesRequests: number;
  /** every Task call in order, with what it cost: the per-poll and per-batch counts come from these */
  steps: StepRecord[];
  batches: { kind: string; nodes: number }[];
}

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

/** One whole upgrade (precheck, masters, workers, cleanup) of a simulated cluster, counted. */
export async function measureUpgrade(args: {
  masters: number;
  workers: number;
  workload?: 'demo' | 'none';
  upgradeMs?: number;
  rescheduleMs?: number;
  /** undefined: the default fast clock; null: the Wait states wait as the ASL says, in real time (bench/overhead.ts) */
  waitMs?: number | null;
}): Promise<UpgradeMeasure> {
  const dyn = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((res) => dyn.listen(0, '127.0.0.1', () => res()));
  const endpoint = `http://127.0.0.1:${(dyn.address() as AddressInfo).port}`;
  const config = loadConfig({ TABLE_NAME: 'kupgrade-bench', DYNAMODB_ENDPOINT: endpoint, POLL_SECONDS: '1', SOAK_SECONDS: '0' });
  const db = createDb({ table: config.tableName, endpoint });
  await ensureTable(db);
  const notifier = new MemoryNotifier();
  db.onUpgradeChange = statusEffects(db, notifier);
  const dynamo = { reads: 0, writes: 0 };
  db.doc.middlewareStack.add(
    (next, context) => async (a) => {
      const name = (context as { commandName?: string }).commandName ?? '';
      if (READS.has(name)) dynamo.reads++;
      if (WRITES.has(name)) dynamo.writes++;
      return next(a);
    },
    { step: 'initialize', name: 'benchCount' },
  );

  const sim = await startKubeSim({
    masters: args.masters,
    workers: args.workers,
    version: '1.30.4',
    workload: args.workload ?? 'demo',
    upgradeMs: args.upgradeMs ?? 20,
    rescheduleMs: args.rescheduleMs ?? 10,
    // counted, not read: thousands of nodes' Job bodies would be most of the bench's memory
    recordBodies: false,
  });
  const now = () => new Date().toISOString();
  await putCluster(db, { id: 'bench', name: 'bench', version: '1.30.4', kubeconfigRef: `file:${sim.kubeconfigPath}`, createdAt: now(), updatedAt: now() });
  const ctx: PhaseContext = { config, db, now, driverFor: async (c) => createKubernetesDriver(await readKubeconfig(c.kubeconfigRef)) };
  setPhaseContext(ctx);

  const invocations: UpgradeMeasure['invocations'] = {};
  const handlers: Record<string, TaskHandler> = {};
  const steps: StepRecord[] = [];
  // reads what a step left without being counted itself
  const observer = createDb({ table: config.tableName, endpoint });
  let transitionsSinceTask = 0;
  let upgradeStarted = performance.now();
  for (const [name, handler] of Object.entries(PHASE_HANDLERS)) {
    invocations[name] = { count: 0, totalMs: 0 };
    handlers[name] = async (event) => {
      const started = performance.now();
      const requestsAtStart = sim.requests.length;
      const writesAtStart = dynamo.writes;
      const transitions = transitionsSinceTask;
      transitionsSinceTask = 0;
      const ids = event as { clusterId?: string; upgradeId?: string };
      const before = ids.upgradeId ? await getUpgrade(observer, 'bench', ids.upgradeId) : undefined;
      try {
        const out = (await handler(event)) as { clusterId: string; upgradeId: string; phase: string; wait: boolean };
        const u = await requireUpgrade(observer, out.clusterId, out.upgradeId);
        const batch = u.currentBatch === null ? undefined : await getBatch(observer, u.id, u.currentBatch);
        steps.push({
          fn: name,
          phase: out.phase,
          wait: out.wait,
          batchAtStart: before?.currentBatch ?? null,
          batchNodes: batch?.nodes.length ?? 0,
          nodes: batch?.nodes ?? [],
          requests: sim.requests.slice(requestsAtStart),
          dynamoWrites: dynamo.writes - writesAtStart,
          transitions,
          atMs: started - upgradeStarted,
          ms: performance.now() - started,
        });
        return out;
      } finally {
        invocations[name]!.count++;
        invocations[name]!.totalMs += performance.now() - started;
      }
    };
  }
  const statesByType: Record<string, number> = {};
  let polls = 0;
  let historyEvents = 0;
  const executions = new Set<string>();
  const workflow = new LocalWorkflow({
    handlers,
    ...(args.waitMs === null ? {} : { waitMs: args.waitMs ?? 5 }),
    retryMs: 5,
    onEvent: (execution, e) => {
      executions.add(execution);
      if (e.type.startsWith('Execution')) historyEvents++;
      if (e.type === 'StateRetried') historyEvents += 3; // LambdaFunctionFailed, …Scheduled, …Started again
      if (e.type !== 'StateEntered' || !e.state) return;
      statesByType[e.state.type] = (statesByType[e.state.type] ?? 0) + 1;
      transitionsSinceTask++;
      historyEvents += historyEventsPerState(e.state.type);
      if (e.state.name === 'Poll') polls++;
    },
  });

  const requestsBefore = sim.requests.length;
  const started = performance.now();
  upgradeStarted = started;
  try {
    const u = await startUpgrade({ db, workflow, now }, { clusterId: 'bench', upgradeId: `bench-${args.workers}`, targetVersion: '1.31.10' });
    const run = await workflow.waitFor(u.id);
    await new Promise((r) => setImmediate(r)); // the last events of the log
    const done = await requireUpgrade(db, 'bench', u.id);
    if (run.status !== 'SUCCEEDED' || done.status !== 'succeeded')
      throw new Error(`the benchmark upgrade did not succeed: ${run.status} ${done.status} ${JSON.stringify(done.error)}`);
    const batches = (await listBatches(db, u.id)).map((b) => ({ kind: b.kind, nodes: b.nodes.length }));
    const transitions = Object.values(statesByType).reduce((a, b) => a + b, 0);
    return {
      masters: args.masters,
      workers: args.workers,
      workload: args.workload ?? 'demo',
      wallSeconds: (performance.now() - started) / 1000,
      statesByType,
      transitions,
      polls,
      historyEvents,
      executions: executions.size,
      invocations,
      dynamo,
      eventBridgeEvents: notifier.published.length,
      kubernetesRequests: sim.requests.length - requestsBefore,
      steps,
      batches,
    };
  } finally {
    await workflow.stopAll();
    setPhaseContext(undefined);
    await sim.close();
    await new Promise<void>((res) => dyn.close(() => res()));
  }
}

export interface Projection {
  batches: number;
  pollsPerBatch: number;
  transitions: number;
  historyEvents: number;
  invocations: number;
}

/**
 * Fits the measured runs to `transitions = fixed + perBatch × batches + perPoll × polls`
 * (perPoll is the loop Task → Route → Poll → RouteByPhase, read off the ASL
 * and confirmed by the fit's residual), then projects a cluster at deployed
 * settings, where the polls a batch takes are its duration over POLL_SECONDS.
 */
export function fitPerBatch(runs: UpgradeMeasure[]) {
  const perPoll = { transitions: 4, events: 5 + 2 + 2 + 2, invocations: 1 };
  const rows = runs.map((r) => ({
    batches: r.batches.length,
    transitions: r.transitions - perPoll.transitions * r.polls,
    events: r.historyEvents - perPoll.events * r.polls,
    invocations: Object.values(r.invocations).reduce((a, i) => a + i.count, 0) - perPoll.invocations * r.polls,
  }));
  const a = rows[0]!;
  const b = rows.at(-1)!;
  // with one run (or equal batch counts) there is no line to fit: all of it counts per batch
  const slope = (k: 'transitions' | 'events' | 'invocations') => (b.batches === a.batches ? a[k] / a.batches : (b[k] - a[k]) / (b.batches - a.batches));
  const perBatch = { transitions: slope('transitions'), events: slope('events'), invocations: slope('invocations') };
  const fixed = {
    transitions: a.transitions - perBatch.transitions * a.batches,
    events: a.events - perBatch.events * a.batches,
    invocations: a.invocations - perBatch.invocations * a.batches,
  };
  return { perPoll, perBatch, fixed };
}

export function project(
  fit: ReturnType<typeof fitPerBatch>,
  cluster: { masters: number; workers: number },
  batchSeconds: number,
  pollSeconds: number,
): Projection {
  const batches = cluster.masters + planBatchSizes(cluster.workers, cluster.workers).length;
  const pollsPerBatch = Math.ceil(batchSeconds / pollSeconds);
  const polls = batches * pollsPerBatch;
  return {
    batches,
    pollsPerBatch,
    transitions: Math.round(fit.fixed.transitions + fit.perBatch.transitions * batches + fit.perPoll.transitions * polls),
    historyEvents: Math.round(fit.fixed.events + fit.perBatch.events * batches + fit.perPoll.events * polls),
    invocations: Math.round(fit.fixed.invocations + fit.perBatch.invocations * batches + fit.perPoll.invocations * polls),
  };
}

export function costOf(p: { transitions: number; invocations: number; avgMs: number; dynamoWrites: number; dynamoReads: number }) {
  const stepFunctions = p.transitions * PRICES.transition;
  const lambda = p.invocations * PRICES.lambdaRequest + p.invocations * (p.avgMs / 1000) * LAMBDA_MEMORY_GB * PRICES.lambdaGbSecond;
  const dynamo = p.dynamoWrites * PRICES.dynamoWrite + p.dynamoReads * PRICES.dynamoRead;
  return { stepFunctions, lambda, dynamo, total: stepFunctions + lambda + dynamo };
}

/**
 * DynamoDB requests as `perNode × nodes + perCall × Lambda calls` (least squares over the
 * runs, coefficients kept ≥ 0): node progress and events are written per node,
 * and every call reads the upgrade.
 */
export function fitDynamo(runs: UpgradeMeasure[], kind: 'reads' | 'writes'): { perNode: number; perCall: number } {
  const rows = runs.map((r) => ({ n: r.masters + r.workers, c: Object.values(r.invocations).reduce((a, i) => a + i.count, 0), y: r.dynamo[kind] }));
  const s = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0);
  const [nn, nc, cc, ny, cy] = [s((r) => r.n * r.n), s((r) => r.n * r.c), s((r) => r.c * r.c), s((r) => r.n * r.y), s((r) => r.c * r.y)];
  const det = nn * cc - nc * nc;
  if (rows.length < 2 || Math.abs(det) < 1e-9)
    return {
      perNode: 0,
      perCall:
        s((r) => r.y) /
        Math.max(
          1,
          s((r) => r.c),
        ),
    };
  let perNode = (ny * cc - cy * nc) / det;
  let perCall = (cy * nn - ny * nc) / det;
  if (perNode < 0) [perNode, perCall] = [0, cy / cc];
  if (perCall < 0) [perNode, perCall] = [ny / nn, 0];
  return { perNode, perCall };
}
