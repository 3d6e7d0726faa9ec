import { readDrainForecast, useApi, type DrainForecast } from '../api.js';
import { time } from '../format.js';
import { usePoll } from '../usePoll.js';
import { Failure, MOVING } from './common.js';

const owner = (o: DrainForecast['pods'][number]['owner']) => o ?? 'none (a bare pod: deleted for good)';

/** The next batch's drain, before it happens: the pods that will move, and the budgets that allow no disruption. */
/** `updatedAt` changes whenever the upgrade moves, and with it the next batch: the forecast is read again then, not only on its timer. */
export function DrainForecastPanel(props: { clusterId: string; upgradeId: string; status: string; phase: string; updatedAt: string }) {
  const { client } = useApi();
  const forecast = usePoll(
    () => readDrainForecast(client, props.clusterId, props.upgradeId),
    () => (MOVING.has(props.status) ? 5000 : 60000),
    [client, props.upgradeId, props.status, props.updatedAt],
  );
  const f = forecast.data;
  return (
    <section aria-labelledby="forecast-title">
      <h2 id="forecast-title">Drain forecast</h2>
      <Failure error={forecast.error} />
      {f === undefined && !forecast.error && <p>Loading…</p>}
      {f === null && <p class="muted">Drain forecast unavailable: this API does not serve it.</p>}
      {f && !f.batch && props.phase === 'precheck' && <p class="muted">Known once the precheck has planned the batches.</p>}
      {f && !f.batch && props.phase !== 'precheck' && <p class="muted">No batch is to come: nothing will be drained.</p>}
      {f && f.batch && (
        <>
          <p>
            Next: {f.batch.phase} batch {f.batch.number}, {f.batch.nodes.join(', ')} (seen {time(f.observedAt)})
          </p>
          {f.blockingBudgets.length > 0 && (
            <div class="notice" role="status">
              <h3>Budgets that allow no disruption</h3>
              <ul>
                {f.blockingBudgets.map((b) => (
                  <li key={`${b.namespace}/${b.name}`}>
                    poddisruptionbudget/{b.namespace}/{b.name}: allows {b.allowedDisruptions}, holds {b.pods.join(', ')}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <table>
            <caption>{f.pods.filter((p) => p.moves).length} pods will move</caption>
            <thead>
              <tr>
                <th scope="col">Pod</th>
                <th scope="col">Node</th>
                <th scope="col">Owner</th>
                <th scope="col">Moves</th>
              </tr>
            </thead>
            <tbody>
              {f.pods.map((p) => (
                <tr key={`${p.namespace}/${p.name}`}>
                  <th scope="row">
                    {p.namespace}/{p.name}
                  </th>
                  <td>{p.node}</td>
                  <td>{owner(p.owner)}</td>
                  <td>{p.moves ? 'yes' : 'no (a drain leaves it, or it is already going)'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
