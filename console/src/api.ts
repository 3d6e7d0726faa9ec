import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiError, createApiClient, unwrap, type ApiClient, type Schemas } from '../../src/client/apiClient.js';
import type { Session } from './auth.js';

/** The session and the one typed API client every view talks through. */
export interface Api {
  session: Session;
  client: ApiClient;
  /** a 403 on a change makes the console read-only, whatever it was told at sign-in */
  readOnly: boolean;
  markReadOnly(): void;
}

export const ApiContext = createContext<Api | undefined>(undefined);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}

export function clientFor(session: Session): ApiClient {
  return createApiClient({ baseUrl: session.baseUrl, auth: session.auth });
}

export { ApiError, unwrap };

/** What the user reads when a call fails: the API's message and its remedy. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (${err.code}). ${err.remedy}`;
  return err instanceof Error ? err.message : String(err);
}

/** @public the drain forecast of the next batch, as the API serves it */
export type DrainForecast = Schemas['DrainForecast'];

/** The forecast, or null when this API does not serve it (404: an older deployment): the panel then says it is unavailable. */
export async function readDrainForecast(client: ApiClient, clusterId: string, upgradeId: string): Promise<DrainForecast | null> {
  const call = client.GET('/clusters/{clusterId}/upgrades/{upgradeId}/drain-forecast', { params: { path: { clusterId, upgradeId } } });
  const { response } = await call;
  if (response.status === 404) return null;
  return unwrap(call);
}
