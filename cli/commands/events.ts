import type { Command } from 'commander';
import type { Upgrade, UpgradeEvent } from '../../src/client/apiClient.js';
import { call, getUpgrade, upgradeToShow } from '../api.js';
import type { Act } from '../command.js';
import type { Ctx } from '../context.js';
import { CliError, EXIT, exitCodeOf } from '../exitCodes.js';
import { hasStopped, sleep } from '../follow.js';
import { table } from '../render/table.js';
import { stamp } from '../render/time.js';

const PAGE = 500;

/**
 * Reads an upgrade's events from where the last read stopped. The API's cursor
 * moves on only past a full page; the last page is read again from its cursor
 * and the events already seen on it skipped.
 */
class EventReader {
  private cursor: string | undefined;
  private seenOnPage = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly u: Pick<Upgrade, 'clusterId' | 'id'>,
  ) {}

  async next(): Promise<UpgradeEvent[]> {
    const fresh: UpgradeEvent[] = [];
    for (;;) {
      const page = await call(
        this.ctx,
        this.ctx.client.GET('/clusters/{clusterId}/upgrades/{upgradeId}/events', {
          params: { path: { clusterId: this.u.clusterId, upgradeId: this.u.id }, query: { limit: PAGE, ...(this.cursor ? { cursor: this.cursor } : {}) } },
        }),
      );
      fresh.push(...page.events.slice(this.seenOnPage));
      if (!page.nextCursor) {
        this.seenOnPage = page.events.length;
        return fresh;
      }
      this.cursor = page.nextCursor;
      this.seenOnPage = 0;
    }
  }
}

// the message last: it is the long one
const row = (e: UpgradeEvent) => [stamp(e.at), e.type, e.node ?? '-', e.by ?? '-', e.message];
const HEADERS = ['AT', 'TYPE', 'NODE', 'BY', 'MESSAGE'];
const line = (e: UpgradeEvent) => `${stamp(e.at)}  ${e.type.padEnd(16)}  ${(e.node ?? '-').padEnd(10)}  ${e.message}${e.by ? `  (by ${e.by})` : ''}`;

export function registerEventsCommand(program: Command, act: Act): void {
  program
    .command('events')
    .description("what happened in the cluster's upgrade (the active one, else the last), oldest first")
    .argument('<name>', 'the registered name')
    .option('--upgrade <id>', 'another upgrade of the cluster than the active or last one')
    .option('-f, --follow', 'keep printing events as they come, until the upgrade ends or pauses (json: one event per line)')
    .action(
      act<{ upgrade?: string; follow?: boolean }>(async (ctx, [name], opts) => {
        let u = await upgradeToShow(ctx, name!, opts.upgrade);
        if (!u) throw new CliError(`${name} has had no upgrade: no events to show`, EXIT.apiError, `start one: kupgrade upgrade ${name} --to VERSION`);
        const reader = new EventReader(ctx, u);
        if (!opts.follow) {
          const events = await reader.next();
          ctx.out.result({ upgradeId: u.id, events }, () => (events.length ? table(HEADERS, events.map(row)) : `no events for ${u!.id}`));
          return EXIT.ok;
        }
        for (;;) {
          // the upgrade is read before its events, so the events of its last change are read after that change
          const stopped = hasStopped(u);
          for (const e of await reader.next()) ctx.out.item(e, () => line(e));
          if (stopped) return exitCodeOf(u);
          await sleep(ctx.intervalMs);
          u = await getUpgrade(ctx, u.clusterId, u.id);
        }
      }),
    );
}
