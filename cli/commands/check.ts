import type { Command } from 'commander';
import { getCluster } from '../api.js';
import type { Act } from '../command.js';
import { EXIT } from '../exitCodes.js';
import { checkReport } from '../render/check.js';
import { runCheck } from '../runCheck.js';

export function registerCheckCommand(program: Command, act: Act): void {
  program
    .command('check')
    .summary('the upgrade check and plan, read-only (like kubeadm upgrade plan)')
    .description('the upgrade check alone, read-only: every check with its remedy, and the plan (masters, worker batches); exits 1 when a check fails')
    .argument('<name>', 'the registered name')
    .option('--to <version>', 'the target version (default: the newest the cluster may go to)')
    .addHelpText('after', '\nExample:\n  kupgrade check demo --to 1.32.6')
    .action(
      act<{ to?: string }>(async (ctx, [name], opts) => {
        let target = opts.to;
        if (!target) {
          const cluster = await getCluster(ctx, name!);
          target = cluster.availableUpgrades.at(-1);
          if (!target) {
            ctx.out.result(
              { clusterId: name, version: cluster.version, availableUpgrades: [] },
              () => `${name} runs ${cluster.version}: kupgrade offers no newer version`,
            );
            return EXIT.ok;
          }
        }
        const check = await runCheck(ctx, name!, target);
        ctx.out.result(check, () => checkReport(check, (s, t) => ctx.out.paint(s, t)));
        return check.status === 'failed' ? EXIT.failed : EXIT.ok;
      }),
    );
}
