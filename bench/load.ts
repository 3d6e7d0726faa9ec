// npm run bench:load: what one upgrade asks of DynamoDB and of the cluster's
// API server, per node and per poll, at 100, 500 and 5,000 workers
// (BENCH_LOAD_SIZES), and the whole local stack's peak RSS for each (each size
// runs in a process of its own, so each peak is its own). Prints counts and
// ratios; nothing is timed against a threshold. test/integration/loadFollowsBatch
// asserts the same counts exactly on small clusters.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import '../src/workflow/polyfills.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface LoadRow {
  workers: number;
  nodes: number;
  batches: number;
  polls: number;
  idlePolls: number;
  transitionsPerIdlePoll: number;
  dynamoWritesPerNode: number;
  dynamoWritesPerIdlePoll: number;
  k8sRequestsPerNode: number;
  k8sRequestsPerIdlePollPerNodeInFlight: number;
  collectionReadsInBatch: number;
  wallSeconds: number;
  peakRssMb: number;
}

async function measureOne(workers: number): Promise<LoadRow> {
  const { measureUpgrade } = await import('./upgradeCost.js');
  // Jobs that take a few polls: the batches have polls in which nothing moves, as deployed ones do
  const r = await measureUpgrade({ masters: 3, workers, workload: 'none', upgradeMs: 300 });
  const nodes = r.masters + r.workers;
  let prev: (typeof r.steps)[number] | undefined;
  const idle: { transitions: number; writes: number; requests: number; inFlight: number }[] = [];
  for (const step of r.steps) {
    const was = prev && step.batchAtStart !== null && prev.batchNodes > 0 ? prev.nodes : [];
    prev = step;
    if (step.batchAtStart === null || !step.wait || was.length === 0 || JSON.stringify(was) !== JSON.stringify(step.nodes)) continue;
    const inFlight = was.filter((n) => !['done', 'failed', 'skipped'].includes(n.step)).length;
    idle.push({ transitions: step.transitions, writes: step.dynamoWrites, requests: step.requests.length, inFlight });
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const collection = /^\/(api\/v1|apis\/[^/]+\/[^/]+)\/[a-z]+$/;
  return {
    workers,
    nodes,
    batches: r.batches.length,
    polls: r.polls,
    idlePolls: idle.length,
    transitionsPerIdlePoll: sum(idle.map((p) => p.transitions)) / Math.max(1, idle.length),
    dynamoWritesPerNode: r.dynamo.writes / nodes,
    dynamoWritesPerIdlePoll: sum(idle.map((p) => p.writes)) / Math.max(1, idle.length),
    k8sRequestsPerNode: r.kubernetesRequests / nodes,
    k8sRequestsPerIdlePollPerNodeInFlight: sum(idle.map((p) => p.requests)) / Math.max(1, sum(idle.map((p) => p.inFlight))),
    collectionReadsInBatch: r.steps
      .filter((s) => s.batchAtStart !== null)
      .flatMap((s) => s.requests)
      .filter((q) => q.method === 'GET' && !q.query.fieldSelector && !q.query.labelSelector && collection.test(q.path)).length,
    wallSeconds: r.wallSeconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

if (process.env.BENCH_LOAD_CHILD) {
  const row = await measureOne(Number(process.env.BENCH_LOAD_CHILD));
  process.send!(row);
  process.exit(0);
}

// V8 grows its heap to the machine's memory before it collects hard; BENCH_LOAD_HEAP_MB caps it (node --max-old-space-size), as one would the local stack's
const HEAP = process.env.BENCH_LOAD_HEAP_MB ? [`--max-old-space-size=${Number(process.env.BENCH_LOAD_HEAP_MB)}`] : [];

/** One upgrade per size, each in a process of its own (npm run bench -- --json uses these too). */
export async function measureLoad(sizes = (process.env.BENCH_LOAD_SIZES ?? '100,500,5000').split(',').map(Number)): Promise<LoadRow[]> {
  const rows: LoadRow[] = [];
  for (const workers of sizes) {
    process.stderr.write(`upgrading 3 masters + ${workers} workers (no workload) in a process of its own…\n`);
    rows.push(
      await new Promise<LoadRow>((resolve, reject) => {
        const child = fork(fileURLToPath(import.meta.url), [], {
          env: { ...process.env, BENCH_LOAD_CHILD: String(workers) },
          execArgv: [...HEAP, '--import', 'tsx'],
        });
        child.once('message', (m) => resolve(m as LoadRow));
        child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`the ${workers}-worker run exited ${code}`))));
      }),
    );
  }
  return rows;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) printLoad(await measureLoad());

function printLoad(rows: LoadRow[]) {
  const cols: [string, (r: LoadRow) => string][] = [
    ['workers', (r) => String(r.workers)],
    ['batches', (r) => String(r.batches)],
    ['polls', (r) => String(r.polls)],
    ['idle polls', (r) => String(r.idlePolls)],
    ['trans/idle poll', (r) => r.transitionsPerIdlePoll.toFixed(2)],
    ['DDB writes/node', (r) => r.dynamoWritesPerNode.toFixed(2)],
    ['DDB writes/idle poll', (r) => r.dynamoWritesPerIdlePoll.toFixed(2)],
    ['k8s req/node', (r) => r.k8sRequestsPerNode.toFixed(2)],
    ['k8s req/idle poll/node in flight', (r) => r.k8sRequestsPerIdlePollPerNodeInFlight.toFixed(2)],
    ['cluster lists in a batch', (r) => String(r.collectionReadsInBatch)],
    ['peak RSS MB', (r) => r.peakRssMb.toFixed(0)],
    ['wall s', (r) => r.wallSeconds.toFixed(0)],
  ];
  console.log(
    '\nOne whole upgrade per size on the local stack (real ASL on the local engine, phase handlers, driver over HTTPS to kube-sim, dynalite), each in its own process\n',
  );
  console.log(cols.map(([h]) => h).join(' | '));
  for (const r of rows) console.log(cols.map(([h, f]) => f(r).padStart(h.length)).join(' | '));
  const first = rows[0]!;
  const last = rows.at(-1)!;
  console.log(
    `\n${first.workers} → ${last.workers} workers: DynamoDB writes per node ×${(last.dynamoWritesPerNode / first.dynamoWritesPerNode).toFixed(2)},` +
      ` Kubernetes requests per node ×${(last.k8sRequestsPerNode / first.k8sRequestsPerNode).toFixed(2)},` +
      ` requests per idle poll per node in flight ×${(last.k8sRequestsPerIdlePollPerNodeInFlight / first.k8sRequestsPerIdlePollPerNodeInFlight).toFixed(2)};` +
      ` peak RSS at ${last.workers}: ${last.peakRssMb.toFixed(0)} MB (goal ≤ 1024 MB: ${last.peakRssMb <= 1024 ? 'met' : 'NOT met'})`,
  );
}
