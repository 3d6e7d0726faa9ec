import { useState } from 'preact/hooks';
import type { Check, ClusterDetail, Upgrade } from '../../../src/client/apiClient.js';
import { ApiError, describeError, unwrap, useApi, type Api } from '../api.js';
import { ConfirmButton } from '../confirm.js';
import { between, time } from '../format.js';
import { href } from '../router.js';
import { usePoll } from '../usePoll.js';
import { ACTIVE, Failure, StatusBadge } from './common.js';
import { PlanView } from './plan.js';

/** Runs a change; a 403 makes the whole console read-only, and every error reads with its remedy. */
export async function act<T>(api: Api, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) api.markReadOnly();
    throw new Error(describeError(err), { cause: err });
  }
}

/** One cluster: its nodes, the upgrade check and its report, the target, the plan, "Upgrade", the history. */
export function ClusterView(props: { clusterId: string }) {
  const api = useApi();
  const { client } = api;
  const path = { clusterId: props.clusterId };
  const data = usePoll(
    async () => {
      const [cluster, list] = await Promise.all([
        unwrap(client.GET('/clusters/{clusterId}', { params: { path } })),
        unwrap(client.GET('/clusters/{clusterId}/upgrades', { params: { path } })),
      ]);
      return { cluster, upgrades: list.upgrades };
    },
    (d) => (d?.upgrades.some((u) => ACTIVE.has(u.status)) ? 3000 : 30000),
    [client, props.clusterId],
  );
  const [target, setTarget] = useState<string>();
  const [check, setCheck] = useState<Check>();
  const [checkError, setCheckError] = useState<string>();
  if (!data.data) return data.error ? <Failure error={data.error} /> : <p>Loading…</p>;
  const { cluster, upgrades } = data.data;
  const offered = cluster.versions.filter((v) => v.offered);
  const chosen = target ?? offered[offered.length - 1]?.version;
  const active = upgrades.find((u) => ACTIVE.has(u.status));

  const runCheck = async () => {
    if (!chosen) return;
    const c = await act(api, () => unwrap(client.POST('/clusters/{clusterId}/checks', { params: { path }, body: { targetVersion: chosen } })));
    setCheck(c);
    follow(c).catch((err: unknown) => setCheckError(describeError(err)));
  };
  // the check answers at once, running; its report follows
  const follow = async (c: Check) => {
    while (c.status === 'running') {
      await new Promise((r) => setTimeout(r, 500));
      c = await unwrap(client.GET('/clusters/{clusterId}/checks/{checkId}', { params: { path: { ...path, checkId: c.id } } }));
      setCheck(c);
    }
  };
  return (
    <>
      <h1>
        Cluster {cluster.name} <span class="muted">{cluster.version}</span>
      </h1>
      <Failure error={data.error} />
      {active && (
        <p class="notice">
          An upgrade is active: <a href={href.upgrade(cluster.id, active.id)}>{active.id}</a> <StatusBadge status={active.status} />
        </p>
      )}
      <Nodes cluster={cluster} />
      <section aria-labelledby="check-title">
        <h2 id="check-title">Upgrade check and target</h2>
        <label for="target">Target version</label>
        <select id="target" value={chosen} onChange={(e) => setTarget(e.currentTarget.value)} disabled={offered.length === 0}>
          {offered.map((v) => (
            <option key={v.version} value={v.version}>
              {v.version}
            </option>
          ))}
        </select>
        <ul class="choices" aria-label="versions">
          {cluster.versions.map((v) => (
            <li key={v.version}>
              <strong>{v.version}</strong>: {v.offered ? 'offered' : `refused: ${v.reason ?? ''}`}
            </li>
          ))}
        </ul>
        <div class="buttons">
          <ConfirmButton
            label="Run upgrade check"
            title={`Run the upgrade check for ${chosen ?? 'no version'}?`}
            disabled={!chosen || api.readOnly}
            disabledReason={api.readOnly ? 'read-only: this token may not start a check' : 'no version is offered'}
            onConfirm={runCheck}
          >
            <p>The check only reads the cluster. It takes a few seconds.</p>
          </ConfirmButton>
          <StartUpgrade api={api} cluster={cluster} target={chosen} active={active} />
        </div>
        {checkError && (
          <p role="alert" class="error">
            The check's report could not be read: {checkError}
          </p>
        )}
        {check && <CheckReport check={check} />}
      </section>
      <History clusterId={cluster.id} upgrades={upgrades} />
    </>
  );
}

function Nodes(props: { cluster: ClusterDetail }) {
  const { cluster } = props;
  return (
    <section aria-labelledby="nodes-title">
      <h2 id="nodes-title">Nodes ({cluster.nodes.length})</h2>
      {cluster.nodesError && (
        <p role="alert" class="error">
          The nodes could not be read: {cluster.nodesError}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Role</th>
            <th scope="col">Version</th>
            <th scope="col">Ready</th>
            <th scope="col">Schedulable</th>
            <th scope="col">Cordoned by</th>
          </tr>
        </thead>
        <tbody>
          {cluster.nodes.map((n) => (
            <tr key={n.name}>
              <th scope="row">{n.name}</th>
              <td>{n.role}</td>
              <td>{n.version}</td>
              <td>{n.ready ? 'Ready' : 'NotReady'}</td>
              <td>{n.unschedulable ? 'no' : 'yes'}</td>
              <td>{n.cordonedBy === 'kupgrade' ? `kupgrade (${n.cordonUpgradeId ?? ''})` : (n.cordonedBy ?? '—')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function CheckReport(props: { check: Check }) {
  const { check } = props;
  return (
    <div class="report" aria-live="polite">
      <h3>
        Check {check.id} for {check.targetVersion}: <StatusBadge status={check.status} />
      </h3>
      <p class="muted">
        ran {time(check.createdAt)}
        {check.finishedAt ? `, finished ${time(check.finishedAt)}` : ', running…'}
      </p>
      {check.error && (
        <p role="alert" class="error">
          {check.error}
        </p>
      )}
      {check.results.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Status</th>
              <th scope="col">Reason</th>
              <th scope="col">Remedy</th>
            </tr>
          </thead>
          <tbody>
            {check.results.map((r) => (
              <tr key={r.name}>
                <th scope="row">{r.name}</th>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>{r.message}</td>
                <td>{r.remedy}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {check.plan && (
        <>
          <h3>The plan, before anything moves</h3>
          <PlanView plan={check.plan} />
        </>
      )}
    </div>
  );
}

function StartUpgrade(props: { api: Api; cluster: ClusterDetail; target?: string; active?: Upgrade }) {
  const { api, cluster, target, active } = props;
  const [startAt, setStartAt] = useState('');
  const w = cluster.maintenanceWindow;
  const reason = api.readOnly
    ? 'read-only: this token may not start an upgrade'
    : active
      ? 'an upgrade is already active on this cluster'
      : 'no version is offered';
  return (
    <ConfirmButton
      label="Upgrade"
      title={`Upgrade ${cluster.name} from ${cluster.version} to ${target ?? '—'}?`}
      disabled={!target || !!active || api.readOnly}
      disabledReason={reason}
      onConfirm={async () => {
        const at = startAt ? new Date(startAt).toISOString() : undefined;
        const u = await act(api, () =>
          unwrap(
            api.client.POST('/clusters/{clusterId}/upgrades', {
              params: { path: { clusterId: cluster.id } },
              body: { targetVersion: target!, ...(at ? { startAt: at } : {}) },
            }),
          ),
        );
        location.hash = href.upgrade(cluster.id, u.id);
      }}
    >
      <p>Masters go one at a time, then the workers in batches of 1, 2, 4, … (at most 10% of them). You can pause at any time; an error pauses by itself.</p>
      <p>
        Maintenance window:{' '}
        {w ? `${w.days.join(', ')} ${w.start}–${w.end} (${w.timeZone}): worker batches start only inside it` : 'none (worker batches start at any time)'}
      </p>
      <label for="start-at">Start at (empty: now)</label>
      <input id="start-at" type="datetime-local" value={startAt} onInput={(e) => setStartAt(e.currentTarget.value)} />
    </ConfirmButton>
  );
}

function History(props: { clusterId: string; upgrades: Upgrade[] }) {
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Upgrades</h2>
      {props.upgrades.length === 0 ? (
        <p class="muted">No upgrade yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Upgrade</th>
              <th scope="col">From → to</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {props.upgrades.map((u) => (
              <tr key={u.id}>
                <th scope="row">
                  <a href={href.upgrade(props.clusterId, u.id)}>{u.id}</a>
                </th>
                <td>
                  {u.fromVersion} → {u.toVersion}
                </td>
                <td>
                  <StatusBadge status={u.status} />
                </td>
                <td>{time(u.startedAt)}</td>
                <td>{time(u.endedAt)}</td>
                <td>{u.startedAt ? between(u.startedAt, u.endedAt) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
