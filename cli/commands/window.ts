import { Argument, type Command } from 'commander';
import { call } from '../api.js';
import type { Act } from '../command.js';
import { EXIT, usageError } from '../exitCodes.js';
import { clusterSummary } from '../render/clusters.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Day = (typeof DAYS)[number];

/** sat,sun or mon-fri (a range may wrap: fri-mon), in the order given, each day once. */
export function parseDays(text: string): Day[] {
  const days = new Set<Day>();
  const index = (d: string) => {
    const i = DAYS.indexOf(d.trim().toLowerCase().slice(0, 3) as Day);
    if (i < 0 || d.trim().length < 3) throw usageError(`--days: ${d} is not a day`, `use ${DAYS.join(', ')}, e.g. --days sat,sun or --days mon-fri`);
    return i;
  };
  for (const part of text.split(',')) {
    const [from, to] = part.split('-');
    const a = index(from!);
    const b = to === undefined ? a : index(to);
    for (let i = a; ; i = (i + 1) % 7) {
      days.add(DAYS[i]!);
      if (i === b) break;
    }
  }
  return [...days];
}

function hhmm(name: string, text: string | undefined): string {
  if (!text || !/^([01]\d|2[0-3]):[0-5]\d$/.test(text))
    throw usageError(`--${name} ${text ?? ''} is not a time of day`.trim(), `give HH:MM, e.g. --${name} 01:00`);
  return text;
}

function timeZone(text: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: text });
    return text;
  } catch {
    throw usageError(`--tz ${text} is not a time zone`, 'give an IANA time zone, e.g. UTC or Europe/Paris');
  }
}

interface WindowOptions {
  days?: string;
  start?: string;
  end?: string;
  tz: string;
}

export function registerWindowCommand(program: Command, act: Act): void {
  program
    .command('window')
    .summary('set or clear the maintenance window of worker batches')
    .description('set or clear the maintenance window: outside it no worker batch starts (an upgrade waits for it); an end before the start runs past midnight')
    .argument('<name>', 'the registered name')
    .addArgument(new Argument('<action>', 'set or clear').choices(['set', 'clear']))
    .option('--days <days>', 'the days it opens: sat,sun or mon-fri')
    .option('--start <HH:MM>', 'when it opens')
    .option('--end <HH:MM>', 'when it closes')
    .option('--tz <zone>', 'the time zone of --start and --end', 'UTC')
    .addHelpText('after', '\nExamples:\n  kupgrade window demo set --days sat,sun --start 01:00 --end 05:00 --tz Europe/Paris\n  kupgrade window demo clear')
    .action(
      act<WindowOptions>(async (ctx, [name, action], opts) => {
        const maintenanceWindow =
          action === 'clear'
            ? null
            : {
                days: parseDays(opts.days ?? usageMissing('--days')),
                start: hhmm('start', opts.start),
                end: hhmm('end', opts.end),
                timeZone: timeZone(opts.tz),
              };
        const cluster = await call(
          ctx,
          ctx.client.PUT('/clusters/{clusterId}/maintenance-window', { params: { path: { clusterId: name! } }, body: { maintenanceWindow } }),
        );
        ctx.out.result(cluster, () => clusterSummary(cluster));
        return EXIT.ok;
      }),
    );
}

function usageMissing(option: string): never {
  throw usageError(`window set needs ${option}`, 'e.g. kupgrade window NAME set --days sat,sun --start 01:00 --end 05:00 --tz UTC');
}
