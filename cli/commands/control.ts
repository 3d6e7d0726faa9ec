import type { Command } from 'commander';
import { activeUpgrade, call, getUpgrade } from '../api.js';
import type { Act } from '../command.js';
import { CliError, EXIT, exitCodeOf } from '../exitCodes.js';
import { followUpgrade } from '../follow.js';
import { stateLine, statusReport } from '../render/status.js';

const ACTIONS = {
  pause: ['pause the active upgrade', 'pause the active upgrade: the nodes in flight finish, no new node starts (pausing, then paused)'],
  resume: ['resume a paused upgrade', 'resume a paused upgrade: the batches start again at 1 node, the nodes that failed first'],
  cancel: ['cancel a paused or scheduled upgrade', 'cancel a paused or scheduled upgrade: the upgraded nodes stay upgraded, the cluster is freed'],
} as const;
type Action = keyof typeof ACTIONS;

export function registerControlCommands(program: Command, act: Act): void {
  for (const action of Object.keys(ACTIONS) as Action[]) {
    program
      .command(action)
      .summary(ACTIONS[action][0])
      .description(ACTIONS[action][1])
      .argument('<name>', 'the registered name')
      .option('--upgrade <id>', 'name the upgrade (default: the active one)')
      .option('--wait', 'follow it until it ends or pauses, and exit with its outcome')
      .action(
        act<{ upgrade?: string; wait?: boolean }>(async (ctx, [name], opts) => {
          const u = opts.upgrade ? await getUpgrade(ctx, name!, opts.upgrade) : await activeUpgrade(ctx, name!);
          if (!u) throw new CliError(`${name} has no active upgrade to ${action}`, EXIT.refused, `see kupgrade status ${name}`);
          const path = { clusterId: name!, upgradeId: u.id };
          const request =
            action === 'pause'
              ? ctx.client.POST('/clusters/{clusterId}/upgrades/{upgradeId}/pause', { params: { path } })
              : action === 'resume'
                ? ctx.client.POST('/clusters/{clusterId}/upgrades/{upgradeId}/resume', { params: { path } })
                : ctx.client.POST('/clusters/{clusterId}/upgrades/{upgradeId}/cancel', { params: { path } });
          const accepted = await call(ctx, request);
          ctx.out.say(`upgrade ${u.id} of ${name}: ${action} accepted, ${stateLine(accepted, Date.now())}`);
          if (!opts.wait) {
            ctx.out.result(accepted, () => '');
            return EXIT.ok;
          }
          const final = await followUpgrade(ctx, accepted, { items: false });
          ctx.out.result(final, () => `\n${statusReport(final, Date.now(), (s, t) => ctx.out.paint(s, t))}`);
          return exitCodeOf(final);
        }),
      );
  }
}
