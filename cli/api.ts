import { ApiError, unwrap, type Upgrade } from '../src/client/apiClient.js';
import type { Ctx } from './context.js';
import { CliError, EXIT } from './exitCodes.js';

/**
 * One API call: its data, an ApiError for an answer that is not a success, or, for
 * an API that could not be asked at all (nothing listening, no AWS credentials),
 * a CliError saying so.
 */
export async function call<T>(ctx: Pick<Ctx, 'baseUrl'>, request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  try {
    return await unwrap(request);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'CredentialsProviderError')
      throw new CliError(
        `no AWS credentials to sign the request with: ${e.message}`,
        EXIT.apiError,
        'pass --profile, or sign in (aws configure, aws sso login)',
      );
    const why = e.cause?.code ?? e.cause?.message ?? e.message;
    throw new CliError(
      `cannot reach the API at ${ctx.baseUrl}: ${why}`,
      EXIT.apiError,
      'start the local stack (npm start), or check --endpoint / KUPGRADE_URL',
    );
  }
}

export const getUpgrade = (ctx: Ctx, clusterId: string, upgradeId: string) =>
  call(ctx, ctx.client.GET('/clusters/{clusterId}/upgrades/{upgradeId}', { params: { path: { clusterId, upgradeId } } }));

export const getCluster = (ctx: Ctx, clusterId: string) => call(ctx, ctx.client.GET('/clusters/{clusterId}', { params: { path: { clusterId } } }));

const ACTIVE = ['scheduled', 'running', 'pausing', 'paused'];
const listUpgrades = async (ctx: Ctx, clusterId: string) =>
  (await call(ctx, ctx.client.GET('/clusters/{clusterId}/upgrades', { params: { path: { clusterId } } }))).upgrades;

/** The cluster's active upgrade (scheduled, running, pausing, paused), or undefined. */
export const activeUpgrade = async (ctx: Ctx, clusterId: string): Promise<Upgrade | undefined> =>
  (await listUpgrades(ctx, clusterId)).find((u) => ACTIVE.includes(u.status));

/** The upgrade named, else the active one, else the newest: what `status` and `events` show. */
export async function upgradeToShow(ctx: Ctx, clusterId: string, upgradeId?: string): Promise<Upgrade | undefined> {
  if (upgradeId) return getUpgrade(ctx, clusterId, upgradeId);
  const upgrades = await listUpgrades(ctx, clusterId);
  return upgrades.find((u) => ACTIVE.includes(u.status)) ?? upgrades[0];
}
