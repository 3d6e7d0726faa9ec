import cliProgress from 'cli-progress';
import ora, { type Ora } from 'ora';
import type { Upgrade } from '../../src/client/apiClient.js';
import { batchCounts, workersEta } from './progress.js';
import { stateLine, waitText } from './status.js';
import { duration } from './time.js';

const STEPS = ['pending', 'draining', 'upgrading', 'verifying', 'done'] as const;
/** Node bars beyond these would push the workers' bar off a small terminal; the overall bar counts the rest. */
const MAX_NODE_BARS = 8;

const stepValue = (step: string) => (step === 'failed' || step === 'skipped' ? STEPS.length - 1 : Math.max(0, STEPS.indexOf(step as (typeof STEPS)[number])));

/**
 * What a person at a terminal sees while an upgrade moves: a spinner (ora) through
 * the precheck and the masters, then a bar for the workers and one per node of the
 * batch in flight (cli-progress), redrawn in place. Written to stderr, so stdout
 * keeps only the result.
 */
export class LiveDisplay {
  private spinner: Ora | undefined;
  private bars: cliProgress.MultiBar | undefined;
  private workers: cliProgress.SingleBar | undefined;
  private nodeBars = new Map<string, cliProgress.SingleBar>();
  private batchKey = '';

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(u: Upgrade, now: number): void {
    if (u.phase === 'nodes' || (u.phase === 'cleanup' && this.bars)) this.showWorkers(u, now);
    else this.showSpinner(u, now);
  }

  stop(): void {
    this.spinner?.stop();
    this.spinner = undefined;
    this.bars?.stop();
    this.bars = undefined;
  }

  private showSpinner(u: Upgrade, now: number): void {
    const parts = [`${u.clusterId} ${u.fromVersion} → ${u.toVersion}: ${stateLine(u, now)}`];
    if (u.phase === 'masters') parts.push(`masters ${u.masters.upgraded}/${u.masters.total}`);
    const node = u.currentBatch?.nodes[0];
    if (node) parts.push(`${node.name} ${node.step}${node.since ? ` ${duration(now - Date.parse(node.since))}` : ''}`);
    const wait = node?.waitingFor ?? u.waitingFor;
    if (wait) parts.push(`waiting for ${waitText(wait, now)}`);
    // one line: a wrapped spinner line is redrawn a line too low
    const text = parts.join(' · ').slice(0, Math.max(20, (this.stream.columns || 80) - 3));
    if (!this.spinner) this.spinner = ora({ text, stream: this.stream }).start();
    else this.spinner.text = text;
  }

  private showWorkers(u: Upgrade, now: number): void {
    if (this.spinner) {
      this.spinner.succeed(`control plane: ${u.masters.upgraded} of ${u.masters.total} masters at ${u.toVersion}`);
      this.spinner = undefined;
    }
    if (!this.bars) {
      this.bars = new cliProgress.MultiBar(
        { stream: this.stream, clearOnComplete: true, hideCursor: true, format: ' workers {bar} {value}/{total} ({percentage}%) · {info}', linewrap: true },
        cliProgress.Presets.shades_classic,
      );
      this.workers = this.bars.create(u.nodes.total, u.nodes.upgraded, { info: '' });
    }
    const counts = batchCounts(u);
    const eta = workersEta(u, now);
    const info = [
      `${counts.done}/${counts.total} batches${counts.failed ? ` (${counts.failed} failed)` : ''}`,
      eta === undefined ? '' : `ETA ${duration(eta)}`,
      u.waitingFor ? `waiting for ${waitText(u.waitingFor, now)}` : '',
      (u.currentBatch?.nodes.length ?? 0) > MAX_NODE_BARS ? `+${u.currentBatch!.nodes.length - MAX_NODE_BARS} more nodes` : '',
    ];
    this.workers!.update(u.nodes.upgraded, { info: info.filter(Boolean).join(' · ') });
    this.showNodes(u, now);
  }

  private showNodes(u: Upgrade, now: number): void {
    const batch = u.currentBatch?.kind === 'worker' ? u.currentBatch : undefined;
    const key = batch ? `${batch.index}` : '';
    if (key !== this.batchKey) {
      for (const bar of this.nodeBars.values()) this.bars!.remove(bar);
      this.nodeBars.clear();
      this.batchKey = key;
    }
    if (!batch) return;
    const width = Math.max(...batch.nodes.map((n) => n.name.length));
    for (const n of batch.nodes.slice(0, MAX_NODE_BARS)) {
      const payload = {
        name: n.name.padEnd(width),
        step: n.step.padEnd(9),
        elapsed: n.since ? duration(now - Date.parse(n.since)) : '',
        wait: n.waitingFor ? ` · ${n.waitingFor.reason}: ${n.waitingFor.message}` : '',
      };
      const bar = this.nodeBars.get(n.name);
      if (bar) bar.update(stepValue(n.step), payload);
      else
        this.nodeBars.set(
          n.name,
          this.bars!.create(STEPS.length - 1, stepValue(n.step), payload, { format: '   {name} {bar} {step} {elapsed}{wait}', barsize: 12 }),
        );
    }
  }
}
