import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { call } from '../api.js';
import type { Act } from '../command.js';
import { EXIT, usageError } from '../exitCodes.js';
import { clusterDetail } from '../render/clusters.js';

function readKubeconfig(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read the kubeconfig ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function registerRegistrationCommands(program: Command, act: Act): void {
  program
    .command('register')
    .summary('register a cluster by its kubeconfig')
    .description("register a cluster: kupgrade keeps its kubeconfig as a secret (never shown again) and reads the cluster's nodes")
    .argument('<name>', 'the name to register it under (its id)')
    .option('--kubeconfig <file>', "a kubeconfig for kupgrade's ServiceAccount (see manifests/rbac.yaml)")
    .option('--secret-arn <arn>', 'deployed: a Secrets Manager secret of yours, named kupgrade/<stage>/…, that holds the kubeconfig')
    .addHelpText('after', '\nExample:\n  kupgrade register lab --kubeconfig lab.kubeconfig')
    .action(
      act<{ kubeconfig?: string; secretArn?: string }>(async (ctx, [name], opts) => {
        if (Boolean(opts.kubeconfig) === Boolean(opts.secretArn)) throw usageError('give one of --kubeconfig FILE and --secret-arn ARN');
        const body = opts.kubeconfig ? { name: name!, kubeconfig: readKubeconfig(opts.kubeconfig) } : { name: name!, kubeconfigSecretArn: opts.secretArn! };
        const cluster = await call(ctx, ctx.client.POST('/clusters', { body }));
        ctx.out.result(cluster, () => `cluster ${cluster.name} registered\n\n${clusterDetail(cluster)}`);
        return EXIT.ok;
      }),
    );

  program
    .command('unregister')
    .summary('forget a cluster (not while an upgrade is active)')
    .description('forget a cluster and its kubeconfig secret (refused while it has an active upgrade); the cluster itself is not touched')
    .argument('<name>', 'the registered name')
    .action(
      act(async (ctx, [name]) => {
        await call(ctx, ctx.client.DELETE('/clusters/{clusterId}', { params: { path: { clusterId: name! } } }));
        ctx.out.result({ unregistered: name }, () => `cluster ${name} unregistered`);
        return EXIT.ok;
      }),
    );
}
