// npm run bench: what an upgrade costs (state transitions, Lambda invocations,
// DynamoDB requests) measured on the local engine, projected to deployed
// settings and public prices, and the headroom under Step Functions' history
// limit for a 5,000-node cluster. Prints counts and ratios only.
//
// `npm run bench -- --json` prints ONE JSON object instead (the tables go to stderr):
// these counts, bench/load.ts's load counts (BENCH_LOAD_SIZES), the overhead ratios
// (bench/overhead.ts, BENCH_OVERHEAD_SIZES, minutes at 500 workers) per cluster size,
// and the cold-start table (bench/coldStart.ts, from a fresh `npm run package`), so
// runs can be compared; `tsx bench/readmeTable.ts bench.json` turns it into the README's tables.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import '../src/workflow/polyfills.js';
import type { OverheadRow } from './overhead.js';
import type { UpgradeMeasure } from './upgradeCost.js';

// before the handlers load: their logger reads the level once
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const json = process.argv.includes('--json');
/** the human tables: stdout, or stderr when stdout carries the JSON */
const print = json ? console.error : console.log;
const { costOf, fitDynamo, fitPerBatch, HISTORY_LIMIT, LAMBDA_MEMORY_GB, measureUpgrade, PRICES, project } = await import('./upgradeCost.js');

/**
 * Worker counts, each with the demo workload (ReplicaSets under a one-at-a-time PDB, a
 * DaemonSet, a bare pod) or `:none` (nodes and control plane only): the simulated
 * cluster's own cost grows fast with pods, so the largest run keeps the bench
 * near a minute on two cores. Polls depend on the workload; transitions per
 * poll and per batch do not.
 */
const SIZES = (process.env.BENCH_SIZES ?? '20,100,500:none').split(',').map((s) => {
  const [n, workload] = s.split(':');
  return { workers: Number(n), workload: workload === 'none' ? ('none' as const) : ('demo' as const) };
});
const MASTERS = 3;
/** Deployed settings (serverless.yml, src/config.ts) and an assumed node upgrade time. */
const POLL_SECONDS = 30;
const SOAK_SECONDS = 60;
/** drain + kubeadm upgrade + package install + kubelet restart of one batch: an assumption, state it */
const TYPICAL_BATCH_SECONDS = 6 * 60;
/** the longest batch that does not pause: a drain just inside DRAIN_TIMEOUT_SECONDS, a slow Job, validation just inside VALIDATION_TIMEOUT_SECONDS */
const WORST_BATCH_SECONDS = 1800 + 600 + 600;

const usd = (n: number) => (n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`);
const pad = (s: string | number, n: number) => String(s).padStart(n);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function invocationsOf(r: UpgradeMeasure) {
  const count = sum(Object.values(r.invocations).map((i) => i.count));
  const ms = sum(Object.values(r.invocations).map((i) => i.totalMs));
  return { count, avgMs: ms / Math.max(1, count) };
}

const runs: UpgradeMeasure[] = [];
for (const { workers, workload } of SIZES) {
  process.stderr.write(`upgrading a simulated cluster of ${MASTERS} masters + ${workers} workers (workload: ${workload})…\n`);
  runs.push(await measureUpgrade({ masters: MASTERS, workers, workload }));
}

print('\nMeasured: one whole upgrade on the local engine (the real ASL, phase handlers, Kubernetes driver; kube-sim, dynalite; fast clock)\n');
/** The columns after the cluster's own: one list for the header and the rows, so they cannot drift apart. */
const HEADS = [
  'batches',
  'polls',
  'polls/batch',
  'transitions',
  'trans/node',
  'hist.events',
  'Lambda calls',
  'NodeBatch',
  'Master',
  'avg ms',
  'DDB writes',
  'DDB reads',
  'EB events',
  'k8s requests',
  'wall s',
];
print(['cluster'.padEnd(10), ...HEADS.map((h) => pad(h, h.length + 1))].join(' '));
for (const r of runs) {
  const inv = invocationsOf(r);
  const cols = [
    r.batches.length,
    r.polls,
    (r.polls / r.batches.length).toFixed(1),
    r.transitions,
    (r.transitions / (r.masters + r.workers)).toFixed(1),
    r.historyEvents,
    inv.count,
    r.invocations.NodeBatch?.count ?? 0,
    r.invocations.Master?.count ?? 0,
    inv.avgMs.toFixed(0),
    r.dynamo.writes,
    r.dynamo.reads,
    r.eventBridgeEvents,
    r.kubernetesRequests,
    r.wallSeconds.toFixed(1),
  ];
  print(`${`${r.masters}+${r.workers}${r.workload === 'none' ? '*' : ''}`.padEnd(10)} ${cols.map((c, i) => pad(c, HEADS[i]!.length + 1)).join(' ')}`);
}
print('  * no workload on the workers (nodes and control plane only); the others carry the demo workload');
for (const r of runs) {
  print(
    `  ${r.masters}+${r.workers}: worker batches ${r.batches
      .filter((b) => b.kind === 'worker')
      .map((b) => b.nodes)
      .join(',')}; states entered ${JSON.stringify(r.statesByType)}; executions ${r.executions}`,
  );
}

const fit = fitPerBatch(runs);
print(
  `\nPer poll (Task → Route → Poll → RouteByPhase): ${fit.perPoll.transitions} transitions, ${fit.perPoll.events} history events, ${fit.perPoll.invocations} Lambda call.` +
    `\nPer batch besides its polls: ${fit.perBatch.transitions.toFixed(1)} transitions, ${fit.perBatch.events.toFixed(1)} events, ${fit.perBatch.invocations.toFixed(1)} Lambda calls;` +
    ` fixed per upgrade: ${fit.fixed.transitions.toFixed(0)} transitions, ${fit.fixed.events.toFixed(0)} events, ${fit.fixed.invocations.toFixed(0)} Lambda calls (fitted on the runs above).`,
);
// the fit is a check on itself: the middle runs must sit on the line
for (const r of runs) {
  const p = project(fit, r, r.polls / r.batches.length, 1);
  const predicted = fit.fixed.transitions + fit.perBatch.transitions * r.batches.length + fit.perPoll.transitions * r.polls;
  print(`  fit check ${r.masters}+${r.workers}: measured ${r.transitions} transitions, the fit gives ${predicted.toFixed(0)} (${p.batches} planned batches)`);
}

// Deployed: polls per batch = batch duration / POLL_SECONDS. Lambda duration and DynamoDB requests per call as measured.
const measuredAvgMs = sum(runs.map((r) => invocationsOf(r).avgMs * invocationsOf(r).count)) / sum(runs.map((r) => invocationsOf(r).count));
const writes = fitDynamo(runs, 'writes');
const reads = fitDynamo(runs, 'reads');
const dynamoOf = (f: { perNode: number; perCall: number }, nodes: number, calls: number) => f.perNode * nodes + f.perCall * calls;
const batchSeconds = TYPICAL_BATCH_SECONDS + SOAK_SECONDS;
print(
  `\nProjected at deployed settings (ESTIMATE): POLL_SECONDS ${POLL_SECONDS}, a batch (or master) taking ${TYPICAL_BATCH_SECONDS / 60} min + SOAK_SECONDS ${SOAK_SECONDS}` +
    ` = ${Math.ceil(batchSeconds / POLL_SECONDS)} polls; Lambda ${LAMBDA_MEMORY_GB * 1024} MB arm64 at the measured ${measuredAvgMs.toFixed(0)} ms per call;` +
    ` DynamoDB ${writes.perNode.toFixed(1)} writes per node + ${writes.perCall.toFixed(1)} per call, ${reads.perNode.toFixed(1)} reads per node + ${reads.perCall.toFixed(1)} per call (fitted; 1 KB items assumed)`,
);
print(
  `prices: Step Functions Standard $${(PRICES.transition * 1000).toFixed(3)}/1,000 transitions; Lambda $${(PRICES.lambdaRequest * 1e6).toFixed(2)}/1M requests + $${PRICES.lambdaGbSecond}/GB-s; DynamoDB on-demand $${(PRICES.dynamoWrite * 1e6).toFixed(3)}/1M writes, $${(PRICES.dynamoRead * 1e6).toFixed(3)}/1M reads; free tiers ignored\n`,
);
print(
  ['cluster', 'batches', 'polls/batch', 'transitions', 'Lambda calls', 'hist.events', 'Step Functions', 'Lambda', 'DynamoDB', 'total']
    .map((h, i) => (i === 0 ? h.padEnd(12) : pad(h, h.length + 1)))
    .join(' '),
);
const projections: [string, { masters: number; workers: number }, number][] = [
  ...SIZES.map(({ workers: w }): [string, { masters: number; workers: number }, number] => [`${MASTERS}+${w}`, { masters: MASTERS, workers: w }, batchSeconds]),
  [`${MASTERS}+5000`, { masters: MASTERS, workers: 5000 }, batchSeconds],
  [`${MASTERS}+5000 worst`, { masters: MASTERS, workers: 5000 }, WORST_BATCH_SECONDS],
];
for (const [label, cluster, seconds] of projections) {
  const p = project(fit, cluster, seconds, POLL_SECONDS);
  const c = costOf({
    transitions: p.transitions,
    invocations: p.invocations,
    avgMs: measuredAvgMs,
    dynamoWrites: dynamoOf(writes, cluster.masters + cluster.workers, p.invocations),
    dynamoReads: dynamoOf(reads, cluster.masters + cluster.workers, p.invocations),
  });
  const cols = [p.batches, p.pollsPerBatch, p.transitions, p.invocations, p.historyEvents, usd(c.stepFunctions), usd(c.lambda), usd(c.dynamo), usd(c.total)];
  const heads = ['batches', 'polls/batch', 'transitions', 'Lambda calls', 'hist.events', 'Step Functions', 'Lambda', 'DynamoDB', 'total'];
  print(`${label.padEnd(12)} ${cols.map((v, i) => pad(v, heads[i]!.length + 1)).join(' ')}`);
}

const big = project(fit, { masters: MASTERS, workers: 5000 }, batchSeconds, POLL_SECONDS);
const worst = project(fit, { masters: MASTERS, workers: 5000 }, WORST_BATCH_SECONDS, POLL_SECONDS);
print(
  `\nHistory limit (${HISTORY_LIMIT.toLocaleString('en-US')} events per execution), ${MASTERS}+5000 nodes in one execution:` +
    ` typical ${big.historyEvents.toLocaleString('en-US')} events = ${((100 * big.historyEvents) / HISTORY_LIMIT).toFixed(0)}% of the limit (headroom ×${(HISTORY_LIMIT / big.historyEvents).toFixed(1)});` +
    ` every batch at its longest without pausing (${WORST_BATCH_SECONDS / 60} min) ${worst.historyEvents.toLocaleString('en-US')} events = ${((100 * worst.historyEvents) / HISTORY_LIMIT).toFixed(0)}% (×${(HISTORY_LIMIT / worst.historyEvents).toFixed(2)}).`,
);

if (json) {
  const { measureLoad } = await import('./load.js');
  const { measureOverhead } = await import('./overhead.js');
  const { measureColdStarts } = await import('./coldStart.js');
  const load = await measureLoad();
  const overhead: OverheadRow[] = [];
  for (const workers of (process.env.BENCH_OVERHEAD_SIZES ?? '100,500').split(',').map(Number)) {
    process.stderr.write(`overhead: 3 masters + ${workers} workers, T = 10 s, POLL_SECONDS 1, real waits…\n`);
    overhead.push(await measureOverhead(workers));
  }
  process.stderr.write('packaging (npm run package) for the cold-start table…\n');
  execFileSync('npm', ['run', 'package'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const coldStart = measureColdStarts();
  const workers = [...new Set([...runs.map((r) => r.workers), ...load.map((r) => r.workers), ...overhead.map((r) => r.workers)])].sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        sizes: workers.map((w) => {
          const cost = runs.find((r) => r.workers === w);
          return {
            workers: w,
            masters: MASTERS,
            ...(cost ? { cost: { ...withoutSteps(cost), invocationCount: invocationsOf(cost).count } } : {}),
            ...(load.some((r) => r.workers === w) ? { load: load.find((r) => r.workers === w) } : {}),
            ...(overhead.some((r) => r.workers === w) ? { overhead: overhead.find((r) => r.workers === w) } : {}),
          };
        }),
        fit,
        coldStart,
      },
      null,
      2,
    ),
  );
}

function withoutSteps(r: UpgradeMeasure): Omit<UpgradeMeasure, 'steps'> {
  const { steps: _, ...rest } = r;
  return rest;
}
