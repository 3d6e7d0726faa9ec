import type { Check } from '../../src/client/apiClient.js';
import type { Style } from '../output.js';

type Paint = (style: Style, text: string) => string;
const plain: Paint = (_s, t) => t;
const STYLE: Record<string, Style> = { pass: 'green', warn: 'yellow', fail: 'red' };
const MAX_NAMES = 8;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const names = (ns: string[]) => (ns.length > MAX_NAMES ? `${ns.slice(0, MAX_NAMES).join(', ')}, … and ${ns.length - MAX_NAMES} more` : ns.join(', '));

/** The order an upgrade follows, as `kubeadm upgrade plan` shows what it will do. */
function planText(plan: NonNullable<Check['plan']>): string {
  const workers = plan.batches.reduce((n, b) => n + b.length, 0);
  const lines = [
    'Plan:',
    `  masters, one at a time: ${plan.masters.join(' → ') || 'none'}`,
    `  workers: ${workers} in ${plan.batches.length} batch${plan.batches.length === 1 ? '' : 'es'} of ${plan.batches.map((b) => b.length).join(', ') || '-'}`,
  ];
  const width = String(plan.batches.length).length;
  plan.batches.forEach((b, i) => lines.push(`    batch ${String(i + 1).padStart(width)}: ${names(b)}`));
  return lines.join('\n');
}

/** A check's report: each result with its status, a remedy under each that did not pass, and the plan. */
export function checkReport(c: Pick<Check, 'clusterId' | 'targetVersion' | 'status' | 'results' | 'plan' | 'error'>, paint: Paint = plain): string {
  const counts = (s: string) => c.results.filter((r) => r.status === s).length;
  const head = `Upgrade check of ${c.clusterId} for ${c.targetVersion}: ${paint(c.status === 'failed' ? 'red' : 'green', c.status)} (${counts('pass')} passed, ${plural(counts('warn'), 'warning')}, ${counts('fail')} failed)`;
  const lines = [head, ''];
  const width = Math.max(0, ...c.results.map((r) => r.name.length));
  for (const r of c.results) {
    lines.push(`  ${paint(STYLE[r.status] ?? 'reset', `[${r.status}]`)} ${r.name.padEnd(width)}  ${r.message}`);
    if (r.status !== 'pass' && r.remedy) lines.push(`         ${' '.repeat(width)}  remedy: ${r.remedy}`);
  }
  if (c.error) lines.push(`  the check could not run: ${c.error}`);
  if (c.plan) lines.push('', planText(c.plan));
  return lines.join('\n');
}
