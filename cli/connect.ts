import { createApiClient, type ApiClient } from '../src/client/apiClient.js';
import type { Connection } from './connection.js';

/** The typed client the console uses, with a bearer token or, for a deployed API, a SigV4 signer (loaded only then). */
export async function connect(connection: Connection): Promise<ApiClient> {
  const { auth } = connection;
  if (auth.kind === 'token') return createApiClient({ baseUrl: connection.baseUrl, auth: { bearer: auth.token } });
  const { sigV4Signer } = await import('./sigv4.js');
  return createApiClient({ baseUrl: connection.baseUrl, auth: { sign: sigV4Signer(auth) } });
}
