import type { Upgrade } from '../domain/upgrade.js';
import { listBatches } from '../store/batches.js';
import { requireCluster } from '../store/clusters.js';
import { listEventsPage } from '../store/events.js';
import { isExpired } from '../domain/expiry.js';
import { listUpgrades, requireUpgrade } from '../store/upgrades.js';
import { cancelRequest, pauseRequest, requestUpgrade, resumeRequest } from '../upgrades/control.js';
import type { ApiContext } from './context.js';
import { defineRoute } from './httpHandler.js';
import { ClusterParamsSchema, EventsQuerySchema, StartUpgradeSchema, UpgradeParamsSchema } from './schemas.js';
import { upgradeView } from './views.js';

const view = async (ctx: ApiContext, u: Upgrade) => upgradeView(u, await listBatches(ctx.db, u.id));

export const startUpgradeRoute = defineRoute({
  params: ClusterParamsSchema,
  body: StartUpgradeSchema,
  async run(ctx, { params, body }) {
    // A fresh id per request; the cluster's conditional lock makes a second start (or a retry) a 409.
    const u = await requestUpgrade(ctx, { clusterId: params.clusterId, upgradeId: ctx.newId('upg'), targetVersion: body.targetVersion, startAt: body.startAt });
    return { status: 202, body: upgradeView(u, []) };
  },
});

export const listUpgradesRoute = defineRoute({
  params: ClusterParamsSchema,
  async run(ctx, { params }) {
    await requireCluster(ctx.db, params.clusterId);
    const upgrades = await listUpgrades(ctx.db, params.clusterId);
    return { status: 200, body: { upgrades: await Promise.all(upgrades.map((u) => view(ctx, u))) } };
  },
});

export const getUpgradeRoute = defineRoute({
  params: UpgradeParamsSchema,
  async run(ctx, { params }) {
    return { status: 200, body: await view(ctx, await requireUpgrade(ctx.db, params.clusterId, params.upgradeId)) };
  },
});

/** pause / resume / cancel: one conditional write each; a wrong state is a 409 and writes nothing. */
const control = (act: typeof pauseRequest) =>
  defineRoute({
    params: UpgradeParamsSchema,
    async run(ctx, { params }) {
      await requireUpgrade(ctx.db, params.clusterId, params.upgradeId);
      return { status: 202, body: await view(ctx, await act(ctx, params.clusterId, params.upgradeId)) };
    },
  });
export const pauseUpgradeRoute = control(pauseRequest);
export const resumeUpgradeRoute = control(resumeRequest);
export const cancelUpgradeRoute = control(cancelRequest);

/** Oldest first, a page at a time; an expired upgrade has no events left to show. */
export const listEventsRoute = defineRoute({
  params: UpgradeParamsSchema,
  query: EventsQuerySchema,
  async run(ctx, { params, query }) {
    const u = await requireUpgrade(ctx.db, params.clusterId, params.upgradeId);
    if (isExpired(u, ctx.now())) return { status: 200, body: { events: [] } };
    return { status: 200, body: await listEventsPage(ctx.db, u.id, { limit: query.limit, cursor: query.cursor }) };
  },
});
