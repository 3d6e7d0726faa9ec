import type { Command } from 'commander';
import { call, getCluster } from '../api.js';
import type { Act } from '../command.js';
import { EXIT } from '../exitCodes.js';
import { clusterDetail, clustersTable } from '../render/clusters.js';

export function registerClusterCommands(program: Command, act: Act): void {
  program
    .command('clusters')
    .description('every registered cluster: its version, the versions it may go to, its active upgrade')
    .action(
      act(async (ctx) => {
        const { clusters } = await call(ctx, ctx.client.GET('/clusters'));
        ctx.out.result({ clusters }, () => clustersTable(clusters));
        return EXIT.ok;
      }),
    );

  program
    .command('cluster')
    .description('one cluster, with its nodes as the cluster reports them now')
    .argument('<name>', 'the registered name')
    .action(
      act(async (ctx, [name]) => {
        const cluster = await getCluster(ctx, name!);
        ctx.out.result(cluster, () => clusterDetail(cluster));
        return EXIT.ok;
      }),
    );
}
