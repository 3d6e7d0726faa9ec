import { Command } from 'commander';
import { newestCatalogVersion } from '../src/domain/catalog.js';
import { startLocalStack } from './localStack.js';

/** A demo cluster one minor behind the newest version kupgrade offers. */
function demoVersion(): string {
  const [major, minor] = newestCatalogVersion().split('.').map(Number);
  return `${major}.${minor! - 1}.4`;
}

const program = new Command()
  .name('kupgrade-local')
  .description('kupgrade on this machine: dynalite, the state machine, a simulated demo cluster')
  .option('--data-dir <dir>', 'where data is kept', process.env.KUPGRADE_DATA_DIR ?? '.kupgrade')
  .option('--no-demo', 'do not start the simulated demo cluster')
  .parse();
const opts = program.opts<{ dataDir: string; demo: boolean }>();

const pollSeconds = Number(process.env.POLL_SECONDS ?? 1);
const stack = await startLocalStack({
  dataDir: opts.dataDir,
  pollMs: pollSeconds * 1000,
  demo: opts.demo ? { masters: 3, workers: 10, version: demoVersion(), upgradeMs: 3000 } : undefined,
});
console.log(`kupgrade local stack is up (data in ${opts.dataDir})`);
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
