import { Command, InvalidArgumentError } from 'commander';
import { rmSync, writeFileSync } from 'node:fs';
import { startKubeSim } from './index.js';

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
};
const seconds = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds');
  return n;
};

const program = new Command('kube-sim')
  .description('A simulated Kubernetes cluster (HTTPS API server subset) for kupgrade demos and tests')
  .option('--masters <n>', 'control-plane nodes', int, 3)
  .option('--workers <n>', 'worker nodes', int, 20)
  .option('--version <version>', 'initial Kubernetes version', '1.30.4')
  .option('--upgrade-seconds <s>', 'how long a node upgrade Job runs', seconds, 2)
  .option('--reschedule-seconds <s>', 'how long an evicted pod takes to be Ready elsewhere', seconds, 1)
  .option('--port <port>', 'port on 127.0.0.1 (0 = any free port)', int, 0)
  .option('--token <token>', 'bearer token (default: random)')
  .option('--workload <kind>', 'seeded workload: demo | none', 'demo')
  .option('--kubeconfig <path>', 'where to write the kubeconfig (default: a temp dir)')
  .option('--grace-period-scale <n>', "how fast pods' grace periods pass (0.001: 30 s in 30 ms; 1: real time)", seconds)
  .option('--lease-renew-seconds <s>', 'how often each kubelet renews its node Lease', seconds, 10)
  .option('--pid-file <path>', 'write the process id here, so a script that started it in the background can stop it')
  .parse();

const o = program.opts<{
  masters: number;
  workers: number;
  version: string;
  upgradeSeconds: number;
  rescheduleSeconds: number;
  port: number;
  token?: string;
  workload: string;
  kubeconfig?: string;
  gracePeriodScale?: number;
  leaseRenewSeconds: number;
  pidFile?: string;
}>();
if (o.workload !== 'demo' && o.workload !== 'none') program.error('--workload must be demo or none');

const sim = await startKubeSim({
  masters: o.masters,
  workers: o.workers,
  version: o.version,
  upgradeMs: Math.round(o.upgradeSeconds * 1000),
  rescheduleMs: Math.round(o.rescheduleSeconds * 1000),
  port: o.port,
  token: o.token,
  workload: o.workload as 'demo' | 'none',
  kubeconfigPath: o.kubeconfig,
  gracePeriodScale: o.gracePeriodScale,
  leaseRenewMs: Math.round(o.leaseRenewSeconds * 1000),
});
console.log(`kube-sim: ${o.masters} masters, ${o.workers} workers, v${o.version.replace(/^v/, '')}`);
console.log(`url: ${sim.url}`);
console.log(`kubeconfig: ${sim.kubeconfigPath}`);
if (o.pidFile) writeFileSync(o.pidFile, `${process.pid}\n`);

const stop = (signal: string) => {
  console.log(`kube-sim: ${signal}, stopping`);
  void sim.close().then(() => {
    if (o.pidFile) rmSync(o.pidFile, { force: true });
    process.exit(0);
  });
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
