import type { Command } from 'commander';
import { upgradeToShow } from '../api.js';
import type { Act } from '../command.js';
import { EXIT, exitCodeOf } from '../exitCodes.js';
import { followUpgrade, hasStopped } from '../follow.js';
import { statusReport } from '../render/status.js';

export function registerStatusCommand(program: Command, act: Act): void {
  program
    .command('status')
    .summary('where an upgrade is: control plane, workers, the batch in flight, health')
    .description(
      "the cluster's upgrade (the active one, else the last): control plane, workers (progress, batches, ETA), the batch in flight node by node, health. " +
        'Exits with its outcome (see the exit codes)',
    )
    .argument('<name>', 'the registered name')
    .option('--upgrade <id>', 'another upgrade of the cluster than the active or last one')
    .option('-w, --watch', 'follow it until it ends or pauses: live at a terminal, else one line per change (json, yaml: the upgrade each time it changes)')
    .action(
      act<{ upgrade?: string; watch?: boolean }>(async (ctx, [name], opts) => {
        let u = await upgradeToShow(ctx, name!, opts.upgrade);
        if (!u) {
          ctx.out.result({ upgrade: null }, () => `${name} has had no upgrade yet; start one: kupgrade upgrade ${name} --to VERSION`);
          return EXIT.ok;
        }
        // a watch for a script is a stream of the upgrade, one item each time it changed, whatever it had come to
        const stream = Boolean(opts.watch) && ctx.out.format !== 'table' && !ctx.out.interactive;
        if (opts.watch && !hasStopped(u)) u = await followUpgrade(ctx, u, { items: stream });
        else if (stream) ctx.out.item(u, () => '');
        const final = u;
        if (!stream) ctx.out.result(final, () => statusReport(final, Date.now(), (s, t) => ctx.out.paint(s, t)));
        return exitCodeOf(final);
      }),
    );
}
