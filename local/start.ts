import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { newestCatalogVersion } from '../src/domain/catalog.js';
import { startLocalStack } from './localStack.js';
import { faultsFromEnv, parseFaultSpec } from './chaos/faults.js';

/**
 * The demo's size: 42 workers make the batches 1, 2, 4, 4, … and a last one of
 * 3, four sizes in one upgrade (40 would end on 1: three), with the 10% cap at 4.
 */
const DEMO_WORKERS = 42;

/** A demo cluster one minor behind the newest version kupgrade offers. */
function demoVersion(): string {
  const [major, minor] = newestCatalogVersion().split('.').map(Number);
  return `${major}.${minor! - 1}.4`;
}

// Parsed once; a bad value stops here with the variable named. Fractions of a second are allowed locally (tests).
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  KUPGRADE_HOST: z.string().default('127.0.0.1'),
  KUPGRADE_TOKEN: z.string().min(16, 'KUPGRADE_TOKEN must have at least 16 characters').optional(),
  KUPGRADE_VIEWER_TOKEN: z.string().min(16, 'KUPGRADE_VIEWER_TOKEN must have at least 16 characters').optional(),
  KUPGRADE_DATA_DIR: z.string().default('.kupgrade'),
  POLL_SECONDS: z.coerce.number().min(0).default(1),
  KUPGRADE_DEMO_UPGRADE_SECONDS: z.coerce.number().min(0).default(3),
  KUPGRADE_DEMO_WORKERS: z.coerce.number().int().min(1).max(5000).default(DEMO_WORKERS),
  SWEEP_SECONDS: z.coerce.number().positive().default(60),
  // off unless set: local only (local/chaos/faults.ts), no deployed build holds it
  KUPGRADE_FAULTS: z
    .string()
    .optional()
    .superRefine((v, issue) => {
      try {
        if (v) parseFaultSpec(v);
      } catch (e) {
        issue.addIssue({ code: 'custom', message: (e as Error).message });
      }
    }),
});
// a setting given empty (KUPGRADE_TOKEN= npm start) is a setting not given
const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
if (!parsed.success) {
  const issue = parsed.error.issues[0]!;
  console.error(`invalid setting ${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}
const env = parsed.data;

const program = new Command()
  .name('npm start --')
  .description(
    'kupgrade on this machine: dynalite, the state machine, the HTTP API, a simulated demo cluster.\n' +
      'Settings by environment: PORT (3000), KUPGRADE_HOST (127.0.0.1), KUPGRADE_TOKEN, KUPGRADE_VIEWER_TOKEN, KUPGRADE_DATA_DIR (.kupgrade),\n' +
      'POLL_SECONDS (1), KUPGRADE_DEMO_WORKERS (42), KUPGRADE_DEMO_UPGRADE_SECONDS (3), SWEEP_SECONDS (60), POWERTOOLS_LOG_LEVEL (WARN).',
  )
  .option('--data-dir <dir>', 'where data is kept (KUPGRADE_DATA_DIR)', env.KUPGRADE_DATA_DIR)
  .option('--demo-workers <n>', 'worker nodes of the demo cluster, when it is first made (KUPGRADE_DEMO_WORKERS)', String(env.KUPGRADE_DEMO_WORKERS))
  .option('--no-demo', 'do not start the simulated demo cluster')
  .parse();
const opts = program.opts<{ dataDir: string; demo: boolean; demoWorkers: string }>();
const demoWorkers = Number(opts.demoWorkers);
if (!Number.isInteger(demoWorkers) || demoWorkers < 1) program.error(`--demo-workers must be a whole number of workers, not ${opts.demoWorkers}`);
// JSON log lines at WARN and above: the state changes are the status: lines below (POWERTOOLS_LOG_LEVEL=DEBUG shows each step and request)
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

// The token a previous start generated is kept (0600, in the data directory): scripts and the CLI keep working across restarts.
const savedToken = (() => {
  try {
    return readFileSync(join(opts.dataDir, 'token'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
})();
const token = env.KUPGRADE_TOKEN ?? savedToken ?? randomBytes(24).toString('base64url');
const stack = await startLocalStack({
  dataDir: opts.dataDir,
  pollMs: Math.round(env.POLL_SECONDS * 1000),
  demo: opts.demo
    ? // pods take a grace period to go (30 s passes in 1.5 s) and a second to come back elsewhere, as a real workload drains
      { masters: 3, workers: demoWorkers, version: demoVersion(), upgradeMs: Math.round(env.KUPGRADE_DEMO_UPGRADE_SECONDS * 1000), gracePeriodScale: 0.05 }
    : undefined,
  http: { port: env.PORT, token, host: env.KUPGRADE_HOST, console: true, ...(env.KUPGRADE_VIEWER_TOKEN ? { viewerToken: env.KUPGRADE_VIEWER_TOKEN } : {}) },
  sweepSeconds: env.SWEEP_SECONDS,
  faults: faultsFromEnv(env.KUPGRADE_FAULTS, join(opts.dataDir, 'faults.json')),
  // What EventBridge receives when deployed: one line per status change.
  onStatusChange: (c) =>
    console.log(`status: ${c.clusterId}/${c.upgradeId} ${c.from ?? '(new)'} → ${c.to}${c.error ? ` (${c.error.reason}: ${c.error.message})` : ''}`),
}).catch((err: unknown) => {
  // a port in use, a data directory another stack holds: one line saying what to change
  console.error(`npm start: ${(err as Error).message}`);
  process.exit(2);
});
console.log(`kupgrade local stack is up (data in ${opts.dataDir})`);
console.log(`api: ${stack.api!.url}`);
console.log(`console: ${stack.api!.url}/#token=${encodeURIComponent(token)}`);
if (env.KUPGRADE_VIEWER_TOKEN) console.log(`console, read-only: ${stack.api!.url}/#token=${encodeURIComponent(env.KUPGRADE_VIEWER_TOKEN)}`);
console.log(
  `token: ${token}${env.KUPGRADE_TOKEN ? ' (from KUPGRADE_TOKEN)' : savedToken ? ' (kept from the last start)' : ' (generated; set KUPGRADE_TOKEN to choose one)'}`,
);
console.log(`token file: ${join(opts.dataDir, 'token')} (0600; the CLI and scripts read it)`);
console.log(`  try it: curl -H "Authorization: Bearer ${token}" ${stack.api!.url}/clusters`);
console.log(`dynamodb: ${stack.dynamodbEndpoint} (table ${stack.config.tableName})`);
if (stack.demo) {
  console.log(`demo cluster "demo": ${stack.demo.url}`);
  console.log(`kubeconfig: ${stack.demo.kubeconfigPath}`);
  console.log(`  watch it: kubectl --kubeconfig ${stack.demo.kubeconfigPath} get nodes -w`);
}
if (stack.resumed.length) console.log(`carrying on with running upgrades: ${stack.resumed.join(', ')}`);
if (env.KUPGRADE_FAULTS) console.log(`faults injected: ${env.KUPGRADE_FAULTS} (counts in ${join(opts.dataDir, 'faults.json')})`);
console.log('Ctrl-C stops it.');

// A script that started the stack in the background stops it by this pid (npm does not pass its signals on).
const pidFile = join(opts.dataDir, 'stack.pid');
writeFileSync(pidFile, `${process.pid}\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping…');
    void stack.stop().then(() => {
      rmSync(pidFile, { force: true });
      process.exit(0);
    });
  });
}
