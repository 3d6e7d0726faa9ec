import { useState } from 'preact/hooks';
import type { Upgrade, UpgradeEvent } from '../../../src/client/apiClient.js';
import { unwrap, useApi, type Api } from '../api.js';
import { ConfirmButton } from '../confirm.js';
import { between, countdown, duration, time } from '../format.js';
import { href } from '../router.js';
import { usePoll } from '../usePoll.js';
import { act } from './cluster.js';
import { Failure, MOVING, Progress, StatusBadge, nodeCount } from './common.js';
import { DrainForecastPanel } from './drainForecast.js';

/** One upgrade as it goes: the status line, the stages, the batches, the nodes in flight, the banner, the countdown, the events. */
export function UpgradeView(props: { clusterId: string; upgradeId: string }) {
  const api = useApi();
  const path = { clusterId: props.clusterId, upgradeId: props.upgradeId };
  const polled = usePoll(
    () => unwrap(api.client.GET('/clusters/{clusterId}/upgrades/{upgradeId}', { params: { path } })),
    (u) => (u && MOVING.has(u.status) ? 2000 : u && (u.status === 'paused' || u.status === 'scheduled') ? 10000 : 60000),
    [api.client, props.upgradeId],
  );
  const u = polled.data;
  if (!u) return polled.error ? <Failure error={polled.error} /> : <p>Loading…</p>;
  const now = Date.now();
  return (
    <>
      <p class="crumbs">
        <a href={href.cluster(u.clusterId)}>Cluster {u.clusterId}</a> › upgrade {u.id}
      </p>
      <h1 class="status-line">{statusLine(u)}</h1>
      <p class="count" aria-live="polite">
        {nodeCount(u).upgraded} of {nodeCount(u).total} nodes upgraded · <StatusBadge status={u.status} />
      </p>
      <Failure error={polled.error} />
      <ErrorBanner u={u} />
      <Expiry u={u} now={now} />
      <Actions api={api} u={u} onDone={polled.refresh} />
      <Stages u={u} />
      <Batches u={u} now={now} />
      <CurrentBatch u={u} now={now} />
      <Waiting u={u} />
      <DrainForecastPanel clusterId={u.clusterId} upgradeId={u.id} status={u.status} phase={u.phase} updatedAt={u.updatedAt} />
      <Events clusterId={u.clusterId} upgradeId={u.id} version={u.updatedAt} />
    </>
  );
}

function statusLine(u: Upgrade): string {
  const head = {
    scheduled: 'Scheduled',
    running: 'Upgrading',
    pausing: 'Pausing',
    paused: 'Paused',
    cancelled: 'Cancelled',
    succeeded: 'Upgraded',
    failed: 'Failed',
    expired: 'Expired',
  }[u.status];
  const where =
    u.phase === 'masters' && u.masters.current
      ? `master ${u.masters.current} of ${u.masters.total}`
      : u.phase === 'masters'
        ? `masters (${u.masters.upgraded} of ${u.masters.total})`
        : u.phase === 'nodes'
          ? u.currentBatch?.kind === 'worker'
            ? `workers, batch ${u.currentBatch.index} of ${u.batches.length + (u.plan?.batches.length ?? 0)}`
            : 'workers'
          : u.phase === 'done'
            ? undefined
            : u.phase;
  return `${head} ${u.fromVersion} → ${u.toVersion}${where ? ` · ${where}` : ''}`;
}

function ErrorBanner(props: { u: Upgrade }) {
  const { error, status } = props.u;
  if (!error || status === 'succeeded') return null;
  return (
    <div role="alert" class="banner">
      <h2>
        {status === 'paused' ? 'Paused by an error' : 'Stopped'}: {error.reason}
        {error.node ? ` on node ${error.node}` : ''}
      </h2>
      <p>{error.message}</p>
      {error.node && (
        <p>
          Node: <strong>{error.node}</strong>
        </p>
      )}
      {error.remedy && (
        <p>
          <strong>Remedy:</strong> {error.remedy}
        </p>
      )}
    </div>
  );
}

function Expiry(props: { u: Upgrade; now: number }) {
  const { u, now } = props;
  if (!u.expiresAt || u.status !== 'paused') return null;
  return (
    <div class="notice expiry">
      <p>
        <strong>Paused</strong> since {time(u.pausedAt)}: closes in {countdown(Date.parse(u.expiresAt) - now)} ({time(u.expiresAt)}) unless resumed.
      </p>
      {(u.masters.upgraded > 0 || u.nodes.upgraded > 0) && (
        <p>
          Version skew: {nodeCount(u).upgraded} of {nodeCount(u).total} nodes run {u.toVersion}, the others {u.fromVersion}. Kubelets may lag the control plane
          by a few minors, but do not leave the cluster mixed longer than needed: resume, or cancel (upgraded nodes stay upgraded).
        </p>
      )}
    </div>
  );
}

function Actions(props: { api: Api; u: Upgrade; onDone: () => void }) {
  const { api, u } = props;
  const path = { clusterId: u.clusterId, upgradeId: u.id };
  const ro = api.readOnly;
  const why = (allowed: boolean, what: string) =>
    ro ? 'read-only: this token may not change anything' : allowed ? undefined : `the API would not accept a ${what} now`;
  const run = (kind: 'pause' | 'resume' | 'cancel') => async () => {
    const p = { params: { path } };
    await act(api, () =>
      unwrap(
        kind === 'pause'
          ? api.client.POST('/clusters/{clusterId}/upgrades/{upgradeId}/pause', p)
          : kind === 'resume'
            ? api.client.POST('/clusters/{clusterId}/upgrades/{upgradeId}/resume', p)
            : api.client.POST('/clusters/{clusterId}/upgrades/{upgradeId}/cancel', p),
      ),
    );
    props.onDone();
  };
  return (
    <section aria-label="actions" class="buttons">
      <ConfirmButton
        label="Pause"
        title="Pause this upgrade?"
        disabled={ro || !u.actions.pause}
        disabledReason={why(u.actions.pause, 'pause')}
        onConfirm={run('pause')}
      >
        <p>The nodes already in flight finish; nothing new starts. It stays paused until you resume or cancel it (15 days at most).</p>
      </ConfirmButton>
      <ConfirmButton
        label="Resume"
        title="Resume this upgrade?"
        disabled={ro || !u.actions.resume}
        disabledReason={why(u.actions.resume, 'resume')}
        onConfirm={run('resume')}
      >
        <p>The batches start again at 1 node; a node that failed goes first.</p>
      </ConfirmButton>
      <ConfirmButton
        label="Cancel"
        title="Cancel this upgrade?"
        danger
        disabled={ro || !u.actions.cancel}
        disabledReason={why(u.actions.cancel, 'cancel')}
        onConfirm={run('cancel')}
      >
        <p>Upgraded nodes stay upgraded; the others stay at {u.fromVersion}. This cannot be undone.</p>
      </ConfirmButton>
    </section>
  );
}

function Stages(props: { u: Upgrade }) {
  const { u } = props;
  const order = ['precheck', 'masters', 'nodes', 'cleanup', 'done'];
  const at = order.indexOf(u.phase);
  const succeeded = u.status === 'succeeded';
  const stages = [
    { name: 'precheck', value: at > 0 || u.precheck?.status === 'passed' ? 1 : 0, max: 1, text: u.precheck ? u.precheck.status : 'not run yet' },
    { name: 'masters', value: u.masters.upgraded, max: u.masters.total, text: `${u.masters.upgraded} of ${u.masters.total}` },
    { name: 'nodes', value: u.nodes.upgraded, max: u.nodes.total, text: `${u.nodes.upgraded} of ${u.nodes.total} workers` },
    { name: 'cleanup', value: succeeded ? 1 : 0, max: 1, text: succeeded ? 'done' : at === 3 ? 'running' : 'to come' },
  ];
  return (
    <section aria-labelledby="stages-title">
      <h2 id="stages-title">Stages</h2>
      <ol class="stages">
        {stages.map((s, i) => (
          <li key={s.name} class={i === at ? 'current' : i < at ? 'done' : ''} aria-current={i === at ? 'step' : undefined}>
            <span class="stage-name">{s.name}</span> <Progress value={s.value} max={s.max} label={`${s.name}: ${s.text}`} /> <span>{s.text}</span>
          </li>
        ))}
      </ol>
      {u.precheck && u.precheck.results.some((r) => r.status !== 'pass') && (
        <p class="muted">
          Precheck:{' '}
          {u.precheck.results
            .filter((r) => r.status !== 'pass')
            .map((r) => `${r.status} ${r.name}`)
            .join(', ')}
        </p>
      )}
    </section>
  );
}

/** The worker batches: done, current and remaining as growing blocks; after a resume the ramp restarts at 1, marked. */
function Batches(props: { u: Upgrade; now: number }) {
  const { u, now } = props;
  const remaining = u.plan?.batches ?? [];
  if (u.batches.length === 0 && remaining.length === 0) return null;
  const done = u.batches.filter((b) => b.endedAt);
  // the ETA: the observed time per batch so far, times the batches to come
  const perBatch = done.length ? done.reduce((s, b) => s + (Date.parse(b.endedAt!) - Date.parse(b.startedAt)), 0) / done.length : undefined;
  const left = remaining.length + u.batches.filter((b) => !b.endedAt).length;
  return (
    <section aria-labelledby="batches-title">
      <h2 id="batches-title">Worker batches</h2>
      <ol class="blocks">
        {u.batches.map((b) => (
          <li
            key={`b${b.index}`}
            class={`block ${b.status === 'running' ? 'current' : b.status === 'failed' ? 'failed' : 'done'}`}
            style={{ flexGrow: b.size }}
          >
            {b.rampRestart && <span class="restart">↺ restart at 1 (resumed)</span>}
            <span class="block-title">
              batch {b.index}: {b.size} · {b.status === 'running' ? 'current' : b.status}
            </span>
            <span class="block-nodes">{b.nodes.join(', ')}</span>
          </li>
        ))}
        {remaining.map((nodes, i) => (
          <li key={`r${i}`} class="block remaining" style={{ flexGrow: nodes.length }}>
            <span class="block-title">
              batch {u.batches.length + i + 1}: {nodes.length} · remaining
            </span>
            <span class="block-nodes">{nodes.join(', ')}</span>
          </li>
        ))}
      </ol>
      {MOVING.has(u.status) && left > 0 && (
        <p>
          ETA:{' '}
          {perBatch === undefined
            ? 'known once a batch has finished'
            : `about ${duration(perBatch * left)} (${time(new Date(now + perBatch * left).toISOString())}), at ${duration(perBatch)} per batch observed`}
        </p>
      )}
    </section>
  );
}

function CurrentBatch(props: { u: Upgrade; now: number }) {
  const b = props.u.currentBatch;
  if (!b) return null;
  return (
    <section aria-labelledby="current-title">
      <h2 id="current-title">
        Current batch: {b.kind === 'master' ? `master ${b.index}` : `workers, batch ${b.index}`}, started {between(b.startedAt, null, props.now)} ago
      </h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Role</th>
            <th scope="col">Step</th>
            <th scope="col">Elapsed</th>
            <th scope="col">Waiting for</th>
          </tr>
        </thead>
        <tbody>
          {b.nodes.map((n) => (
            <tr key={n.name}>
              <th scope="row" class="node-name">
                {n.name}
              </th>
              <td>{n.role}</td>
              <td>{n.step}</td>
              <td>{n.since ? between(n.since, null, props.now) : '—'}</td>
              <td>
                {n.waitingFor
                  ? `${n.waitingFor.reason}${n.waitingFor.object ? ` ${n.waitingFor.object}` : ''}: ${n.waitingFor.message}${
                      n.waitingFor.deadline ? ` (pauses in ${duration(Date.parse(n.waitingFor.deadline) - props.now)})` : ''
                    }`
                  : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Waiting(props: { u: Upgrade }) {
  const w = props.u.waitingFor;
  if (!w) return null;
  return (
    <p class="notice">
      Waiting for {w.gate}: {w.reason}, {w.message}
      {w.until ? ` (until ${time(w.until)})` : ''}
    </p>
  );
}

const PAGE = 20;

/** The events, oldest first, a page at a time; each action names who asked. */
function Events(props: { clusterId: string; upgradeId: string; version: string }) {
  const { client } = useApi();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = usePoll(
    () =>
      unwrap(
        client.GET('/clusters/{clusterId}/upgrades/{upgradeId}/events', {
          params: { path: { clusterId: props.clusterId, upgradeId: props.upgradeId }, query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    () => 60000,
    // read again whenever the upgrade changed
    [client, props.upgradeId, cursor, props.version],
  );
  const events: UpgradeEvent[] = page.data?.events ?? [];
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Events (page {cursors.length})</h2>
      <Failure error={page.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">At</th>
            <th scope="col">Type</th>
            <th scope="col">Node</th>
            <th scope="col">Message</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e, i) => (
            <tr key={`${e.at}-${i}`}>
              <td>{time(e.at)}</td>
              <td>{e.type}</td>
              <td class="node-name">{e.node ?? ''}</td>
              <td>{e.message}</td>
              <td>{e.by ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="buttons">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous events
        </button>
        <button type="button" disabled={!page.data?.nextCursor} onClick={() => setCursors([...cursors, page.data!.nextCursor])}>
          Next events
        </button>
      </div>
    </section>
  );
}
