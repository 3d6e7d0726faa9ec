import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { z } from 'zod';
import { newestCatalogVersion } from '../src/domain/catalog.js';
import { startLocalStack } from './localStack.js';

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
  KUPGRADE_DATA_DIR: z.string().default('.kupgrade'),
  POLL_SECONDS: z.coerce.number().min(0).default(1),
  KUPGRADE_DEMO_UPGRADE_SECONDS: z.coerce.number().min(0).default(3),
  SWEEP_SECONDS: z.coerce.number().positive().default(60),
});
const parsed = EnvSchema.safeParse(process.env);
if (!parsed.success) {
  const issue = parsed.error.issues[0]!;
  console.error(`invalid setting ${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}
const env = parsed.data;

const program = new Command()
  .name('kupgrade-local')
  .description('kupgrade on this machine: dynalite, the state machine, the HTTP API, a simulated demo cluster')
  .option('--data-dir <dir>', 'where data is kept', env.KUPGRADE_DATA_DIR)
  .option('--no-demo', 'do not start the simulated demo cluster')
  .parse();
const opts = program.opts<{ dataDir: string; demo: boolean }>();

const token = env.KUPGRADE_TOKEN ?? randomBytes(24).toString('base64url');
const stack = await startLocalStack({
  dataDir: opts.dataDir,
  pollMs: Math.round(env.POLL_SECONDS * 1000),
  demo: opts.demo ? { masters: 3, workers: 10, version: demoVersion(), upgradeMs: Math.round(env.KUPGRADE_DEMO_UPGRADE_SECONDS * 1000) } : undefined,
  http: { port: env.PORT, token, host: env.KUPGRADE_HOST },
  sweepSeconds: env.SWEEP_SECONDS,
  // What EventBridge receives when deployed: one line per status change.
  onStatusChange: (c) => console.log(`status: ${c.clusterId}/${c.upgradeId} ${c.from ?? '(new)'} → ${c.to}${c.error ? ` (${c.error.reason}: ${c.error.message})` : ''}`),
});
console.log(`kupgrade local stack is up (data in ${opts.dataDir})`);
console.log(`api: ${stack.api!.url}`);
console.log(`token: ${token}${env.KUPGRADE_TOKEN ? ' (from KUPGRADE_TOKEN)' : ' (generated; set KUPGRADE_TOKEN to choose one)'}`);
console.log(`  try it: curl -H "Authorization: Bearer ${token}" ${stack.api!.url}/clusters`);
console.log(`dynamodb: ${stack.dynamodbEndpoint} (table ${stack.config.tableName})`);
if (stack.demo) {
  console.log(`demo cluster "demo": ${stack.demo.url}`);
  console.log(`kubeconfig: ${stack.demo.kubeconfigPath}`);
  console.log(`  watch it: kubectl --kubeconfig ${stack.demo.kubeconfigPath} get nodes -w`);
}
if (stack.resumed.length) console.log(`carrying on with running upgrades: ${stack.resumed.join(', ')}`);
console.log('Ctrl-C stops it.');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping…');
    void stack.stop().then(() => process.exit(0));
  });
}
