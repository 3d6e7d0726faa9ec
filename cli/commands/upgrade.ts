import type { Command } from 'commander';
import { call } from '../api.js';
import type { Act } from '../command.js';
import { EXIT, exitCodeOf } from '../exitCodes.js';
import { followUpgrade } from '../follow.js';
import { parseStartAt } from '../parseTime.js';
import { assertCanAsk, confirm } from '../prompt.js';
import { checkReport } from '../render/check.js';
import { stateLine, statusReport } from '../render/status.js';
import { stamp } from '../render/time.js';
import { runCheck } from '../runCheck.js';

interface UpgradeOptions {
  to: string;
  yes?: boolean;
  at?: string;
  wait?: boolean;
  check: boolean;
}

export function registerUpgradeCommand(program: Command, act: Act): void {
  program
    .command('upgrade')
    .summary('check, confirm, then upgrade a cluster (now or --at a time)')
    .description('upgrade a cluster: runs the check, shows its report and the plan, asks, then starts (or schedules) the upgrade')
    .argument('<name>', 'the registered name')
    .requiredOption('--to <version>', 'the target version (kupgrade clusters shows the ones offered)')
    .option('-y, --yes', 'start without asking (needed without a terminal)')
    .option('--at <time>', 'start later: an ISO time (2025-06-07T01:00:00Z) or an offset (+30m, +2h, +1d)')
    .option('--wait', 'follow the upgrade until it ends or pauses, and exit with its outcome')
    .option('--no-check', "start without running the check first: the upgrade's own precheck still runs, and a failure ends it failed")
    .addHelpText(
      'after',
      '\nExamples:\n  kupgrade upgrade demo --to 1.32.6\n  kupgrade upgrade demo --to 1.32.6 --yes --wait -o json\n  kupgrade upgrade prod --to 1.32.6 --at +2h --yes',
    )
    .action(
      act<UpgradeOptions>(async (ctx, [name], opts) => {
        const startAt = opts.at === undefined ? undefined : parseStartAt(opts.at, Date.now());
        // a script that forgot --yes learns it before the check runs
        if (!opts.yes) assertCanAsk(ctx.io);
        if (opts.check) {
          const check = await runCheck(ctx, name!, opts.to);
          ctx.out.say(checkReport(check, (s, t) => ctx.out.paint(s, t)));
          if (check.status === 'failed') {
            ctx.out.error({
              message: `the check of ${name} for ${opts.to} failed: the upgrade is not started (its precheck would fail the same way)`,
              remedy: 'fix what failed (each remedy is above), then run the upgrade again',
            });
            return EXIT.failed;
          }
        }
        const when = startAt ? ` at ${stamp(startAt)}` : ' now';
        if (!opts.yes && !(await confirm(ctx.io, `\nUpgrade ${name} to ${opts.to}${when}?`))) {
          ctx.out.say('Not started: nothing was changed.');
          return EXIT.ok;
        }
        const started = await call(
          ctx,
          ctx.client.POST('/clusters/{clusterId}/upgrades', {
            params: { path: { clusterId: name! } },
            body: { targetVersion: opts.to, ...(startAt ? { startAt } : {}) },
          }),
        );
        ctx.out.say(`\nupgrade ${started.id} of ${name}: ${stateLine(started, Date.now())}`);
        if (!opts.wait) {
          ctx.out.result(started, () => `follow it: kupgrade status ${name} --watch`);
          return EXIT.ok;
        }
        const final = await followUpgrade(ctx, started, { items: false });
        ctx.out.result(final, () => `\n${statusReport(final, Date.now(), (s, t) => ctx.out.paint(s, t))}`);
        return exitCodeOf(final);
      }),
    );
}
