import type { Schemas, Upgrade } from '../../src/client/apiClient.js';
import type { Style } from '../output.js';
import { batchCounts, textBar, workerCount, workersEta } from './progress.js';
import { fields, table } from './table.js';
import { duration, relative, stamp } from './time.js';

type Paint = (style: Style, text: string) => string;
const plain: Paint = (_s, t) => t;

/** What the upgrade is doing, in a few words. */
export function stateLine(u: Upgrade, now: number): string {
  switch (u.status) {
    case 'scheduled':
      return u.scheduledAt ? `scheduled for ${stamp(u.scheduledAt)} (${relative(u.scheduledAt, now)})` : 'scheduled';
    case 'running':
      return `running (${u.phase})`;
    case 'pausing':
      return `pausing (${u.phase}): the nodes in flight finish, none starts`;
    case 'paused':
      return u.error ? `paused by an error (${u.phase})` : `paused on request (${u.phase})`;
    case 'succeeded':
      return u.startedAt && u.endedAt ? `succeeded in ${duration(Date.parse(u.endedAt) - Date.parse(u.startedAt))}` : 'succeeded';
    default:
      return u.status;
  }
}

const sizes = (ns: number[], max = 10) => (ns.length > max ? `${ns.slice(0, max).join(', ')}, … (${ns.length - max} more)` : ns.join(', '));

function controlPlane(u: Upgrade): string {
  const { total, upgraded, current, currentName } = u.masters;
  const rows: [string, string][] = [];
  const assessment = upgraded === total && u.phase !== 'precheck' ? 'Completed' : u.phase === 'masters' ? 'Progressing' : 'Pending';
  rows.push(['Assessment', u.phase === 'masters' && u.status !== 'running' ? `Stopped (${u.status})` : assessment]);
  rows.push(['Completion', `${upgraded} of ${total} masters at ${u.toVersion}`]);
  if (current !== null) rows.push(['Updating', `master ${current} of ${total}${currentName ? ` (${currentName})` : ''}`]);
  return `= Control plane =\n${fields(rows)}`;
}

function workers(u: Upgrade, now: number): string {
  const counts = batchCounts(u);
  const running = u.batches.find((b) => b.status === 'running');
  const doneSizes = u.batches.filter((b) => b.status === 'done').map((b) => b.size);
  const next = (u.plan?.batches ?? []).map((b) => b.length);
  const rows: [string, string][] = [['Progress', `${textBar(u.nodes.upgraded, u.nodes.total)} ${workerCount(u)}`]];
  const parts = [
    `${counts.done} of ${counts.total} done${doneSizes.length ? ` (${sizes(doneSizes)} nodes)` : ''}${counts.failed ? `, ${counts.failed} failed` : ''}`,
  ];
  if (running) parts.push(`batch ${running.index} running (${running.size} node${running.size === 1 ? '' : 's'})`);
  if (next.length) parts.push(`next: ${sizes(next)}`);
  rows.push(['Batches', parts.join('; ')]);
  if (u.status === 'running' || u.status === 'pausing') {
    const eta = workersEta(u, now);
    rows.push(['ETA', eta === undefined ? 'after the first batch' : `about ${duration(eta)} (${stamp(new Date(now + eta).toISOString())})`]);
  }
  return `= Workers =\n${fields(rows)}`;
}

/** What a node or the upgrade waits for, in one line. */
export function waitText(w: Schemas['Wait'] | Schemas['UpgradeWait'], now: number): string {
  const gate = 'gate' in w ? `${w.gate}: ` : '';
  const until = 'until' in w && w.until ? `, until ${stamp(w.until)}` : '';
  const deadline = w.deadline ? ` (pauses ${relative(w.deadline, now)}, ${stamp(w.deadline)})` : '';
  return `${gate}${w.reason}${w.object ? ` ${w.object}` : ''}: ${w.message}${until}${deadline}`;
}

function currentBatch(u: Upgrade, now: number, paint: Paint): string | undefined {
  const b = u.currentBatch;
  if (!b) return undefined;
  const title = b.kind === 'master' ? `master ${b.index} of ${u.masters.total}` : `workers, batch ${b.index} of ${batchCounts(u).total}`;
  const stepStyle = (step: string): Style => (step === 'failed' ? 'red' : step === 'done' ? 'green' : 'yellow');
  const rows = b.nodes.map((n) => [
    n.name,
    n.role,
    paint(stepStyle(n.step), n.step),
    n.since ? duration(now - Date.parse(n.since)) : '-',
    n.waitingFor ? waitText(n.waitingFor, now) : '-',
  ]);
  return `= Current batch: ${title}, started ${relative(b.startedAt, now)} =\n${table(['NODE', 'ROLE', 'STEP', 'ELAPSED', 'WAITING FOR'], rows)}`;
}

function health(u: Upgrade, now: number, paint: Paint): string {
  const rows: [string, string][] = [];
  const bad = u.status === 'failed' || (u.status === 'paused' && u.error) || u.status === 'expired';
  rows.push(['Status', paint(bad ? 'red' : u.status === 'succeeded' ? 'green' : 'reset', stateLine(u, now))]);
  if (u.error) {
    rows.push(['Error', `${u.error.reason}${u.error.node ? ` on ${u.error.node}` : ''}: ${u.error.message}`]);
    if (u.error.remedy) rows.push(['Remedy', u.error.remedy]);
  }
  if (u.waitingFor) rows.push(['Waiting for', waitText(u.waitingFor, now)]);
  if (u.cancelRequested && u.status !== 'cancelled') rows.push(['Cancel', 'requested: the nodes in flight finish, then it stops']);
  if (u.status === 'paused' && u.expiresAt)
    rows.push(['Expires', `${stamp(u.expiresAt)} (${relative(u.expiresAt, now)}) unless resumed: then it is closed and the cluster freed`]);
  const warnings = u.precheck?.results.filter((r) => r.status === 'warn').map((r) => r.name) ?? [];
  if (u.precheck && u.precheck.status !== 'running')
    rows.push([
      'Precheck',
      `${u.precheck.status}${warnings.length ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}: ${warnings.join(', ')}` : ''}`,
    ]);
  for (const r of u.status === 'failed' ? (u.precheck?.results.filter((x) => x.status === 'fail') ?? []) : [])
    rows.push([`Failed ${r.name}`, `${r.message}; remedy: ${r.remedy}`]);
  const actions = (['pause', 'resume', 'cancel'] as const).filter((a) => u.actions[a]);
  if (actions.length) rows.push(['Can', actions.map((a) => `kupgrade ${a} ${u.clusterId}`).join(', ')]);
  for (const advice of u.advice) rows.push(['Advice', advice]);
  return `= Health =\n${fields(rows)}`;
}

/** The sections of `kupgrade status`, as `oc adm upgrade status` lays them out. */
export function statusReport(u: Upgrade, now: number, paint: Paint = plain): string {
  const when = u.endedAt ? `, ended ${relative(u.endedAt, now)}` : u.startedAt ? `, started ${relative(u.startedAt, now)}` : '';
  const head = `Upgrade ${u.id} of ${u.clusterId}: ${u.fromVersion} → ${u.toVersion}, ${stateLine(u, now)}${when}`;
  return [head, controlPlane(u), workers(u, now), currentBatch(u, now, paint), health(u, now, paint)].filter(Boolean).join('\n\n');
}
