import type { Cluster, Upgrade } from '../../../src/client/apiClient.js';
import { unwrap, useApi } from '../api.js';
import { time } from '../format.js';
import { href } from '../router.js';
import { usePoll } from '../usePoll.js';
import { ACTIVE, Failure, Progress, StatusBadge, nodeCount } from './common.js';

interface Row {
  cluster: Cluster;
  active?: Upgrade;
  last?: Upgrade;
}

/** Every cluster: its version, the newest target offered, the active upgrade's progress, the last one's result. */
export function ClustersView() {
  const { client } = useApi();
  const rows = usePoll(
    async (): Promise<Row[]> => {
      const { clusters } = await unwrap(client.GET('/clusters'));
      return Promise.all(
        clusters.map(async (cluster) => {
          const { upgrades } = await unwrap(client.GET('/clusters/{clusterId}/upgrades', { params: { path: { clusterId: cluster.id } } }));
          return { cluster, active: upgrades.find((u) => ACTIVE.has(u.status)), last: upgrades.find((u) => !ACTIVE.has(u.status)) };
        }),
      );
    },
    (data) => (data?.some((r) => r.active) ? 3000 : 30000),
    [client],
  );
  return (
    <section aria-labelledby="clusters-title">
      <h1 id="clusters-title">Clusters</h1>
      <Failure error={rows.error} />
      {!rows.data && !rows.error && <p>Loading…</p>}
      {rows.data && rows.data.length === 0 && <p>No cluster is registered yet: register one with POST /clusters or kupgrade register.</p>}
      {rows.data && rows.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Version</th>
              <th scope="col">Upgrade</th>
              <th scope="col">Active upgrade</th>
              <th scope="col">Last upgrade</th>
            </tr>
          </thead>
          <tbody>
            {rows.data.map(({ cluster, active, last }) => {
              const newest = cluster.availableUpgrades[cluster.availableUpgrades.length - 1];
              const count = active && nodeCount(active);
              return (
                <tr key={cluster.id}>
                  <th scope="row">
                    <a href={href.cluster(cluster.id)}>{cluster.name}</a>
                  </th>
                  <td>{cluster.version}</td>
                  <td>{newest ? <span class="badge available">upgrade available: {newest}</span> : <span class="muted">up to date</span>}</td>
                  <td>
                    {active && count ? (
                      <a href={href.upgrade(cluster.id, active.id)}>
                        <StatusBadge status={active.status} /> {active.phase}{' '}
                        <Progress value={count.upgraded} max={count.total} label={`${cluster.name}: ${count.upgraded} of ${count.total} nodes upgraded`} />
                      </a>
                    ) : (
                      <span class="muted">none</span>
                    )}
                  </td>
                  <td>
                    {last ? (
                      <a href={href.upgrade(cluster.id, last.id)}>
                        {last.fromVersion} → {last.toVersion}: <StatusBadge status={last.status} /> {time(last.endedAt)}
                      </a>
                    ) : (
                      <span class="muted">never upgraded</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
