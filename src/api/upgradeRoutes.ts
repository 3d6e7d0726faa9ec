import type { Upgrade } from '../domain/upgrade.js';
import { forecastDrain, nextBatchOf, type LiveNode } from '../domain/drainForecast.js';
import { ANNOTATION_CORDONED_BY } from '../domain/clusterMarks.js';
import type { NodeView } from '../registration/clusterReader.js';
import { listBatches } from '../store/batches.js';
import { readPlan } from '../store/plans.js';
import { requireCluster } from '../store/clusters.js';
import { listEventsPage } from '../store/events.js';
import { isExpired } from '../domain/expiry.js';
import { listUpgrades, requireUpgrade } from '../store/upgrades.js';
import { cancelUpgrade, pauseUpgrade, startUpgrade, resumeUpgrade } from '../upgrades/control.js';
import type { ApiContext } from './context.js';
import { defineRoute } from './httpHandler.js';
import {
  ClusterParamsSchema,
  DrainForecastSchema,
  EventPageSchema,
  EventsQuerySchema,
  StartUpgradeSchema,
  UpgradeListSchema,
  UpgradeParamsSchema,
  UpgradeSchema,
} from './schemas.js';
import { upgradeView } from './views.js';

/** An upgrade with its batches and its plans, each read from its own items (none of them grows with the cluster). */
const view = async (ctx: ApiContext, u: Upgrade) => {
  const owner = { upgradeId: u.id };
  const [batches, current, precheck] = await Promise.all([
    listBatches(ctx.db, u.id),
    readPlan(ctx.db, owner, u.planSummary),
    readPlan(ctx.db, owner, u.precheck?.planSummary),
  ]);
  return upgradeView(u, batches, { ...(current ? { current } : {}), ...(precheck ? { precheck } : {}) });
};

export const startUpgradeRoute = /* @__PURE__ */ defineRoute({
  summary: 'start an upgrade, now or at startAt',
  status: 202,
  response: UpgradeSchema,
  errors: [404, 409],
  params: ClusterParamsSchema,
  body: StartUpgradeSchema,
  async run(ctx, { params, body }) {
    // A fresh id per request; the cluster's conditional lock makes a second start (or a retry) a 409.
    const u = await startUpgrade(ctx, { clusterId: params.clusterId, upgradeId: ctx.newId('upg'), targetVersion: body.targetVersion, startAt: body.startAt });
    return { status: 202, body: upgradeView(u, []) };
  },
});

export const listUpgradesRoute = /* @__PURE__ */ defineRoute({
  summary: "this cluster's upgrades, newest first",
  status: 200,
  response: UpgradeListSchema,
  errors: [404],
  params: ClusterParamsSchema,
  async run(ctx, { params }) {
    await requireCluster(ctx.db, params.clusterId);
    const upgrades = await listUpgrades(ctx.db, params.clusterId);
    return { status: 200, body: { upgrades: await Promise.all(upgrades.map((u) => view(ctx, u))) } };
  },
});

export const getUpgradeRoute = /* @__PURE__ */ defineRoute({
  summary: 'one upgrade',
  status: 200,
  response: UpgradeSchema,
  errors: [404],
  params: UpgradeParamsSchema,
  async run(ctx, { params }) {
    return { status: 200, body: await view(ctx, await requireUpgrade(ctx.db, params.clusterId, params.upgradeId)) };
  },
});

/** The overview's node as the domain judges it: a node kupgrade holds is still to do. */
const liveNode = (n: NodeView): LiveNode => ({
  name: n.name,
  role: n.role,
  kubeletVersion: n.version,
  unschedulable: n.unschedulable,
  annotations: n.cordonedBy === 'kupgrade' ? { [ANNOTATION_CORDONED_BY]: n.cordonUpgradeId ?? '' } : {},
});

/** Read now from the cluster through the read function (the API holds no Kubernetes client); an ended upgrade has no next batch. */
export const getDrainForecastRoute = /* @__PURE__ */ defineRoute({
  summary: 'the drain forecast of the next batch: the pods that will move and the budgets that allow no disruption',
  status: 200,
  response: DrainForecastSchema,
  errors: [404, 422],
  params: UpgradeParamsSchema,
  async run(ctx, { params }) {
    const u = await requireUpgrade(ctx.db, params.clusterId, params.upgradeId);
    const source = { kubeconfigRef: (await requireCluster(ctx.db, params.clusterId)).kubeconfigRef };
    // paused, the next batch is chosen from the nodes as they are now, as the resume's boundary will choose it
    const live = u.status === 'paused' ? (await ctx.reader.read(source)).nodes.map(liveNode) : undefined;
    const batch = nextBatchOf(u, live);
    const observedAt = ctx.now();
    if (!batch) return { status: 200, body: { upgradeId: u.id, ...forecastDrain(null, [], []), observedAt } };
    const read = await ctx.reader.readDrain(source, batch.nodes);
    return { status: 200, body: { upgradeId: u.id, ...forecastDrain(batch, read.pods, read.pdbs), observedAt } };
  },
});

/** pause / resume / cancel: one conditional write each; a wrong state is a 409 and writes nothing. */
const control = (act: typeof pauseUpgrade, summary: string) =>
  defineRoute({
    summary,
    status: 202,
    response: UpgradeSchema,
    errors: [404, 409],
    params: UpgradeParamsSchema,
    async run(ctx, { params }) {
      await requireUpgrade(ctx.db, params.clusterId, params.upgradeId);
      return { status: 202, body: await view(ctx, await act(ctx, params.clusterId, params.upgradeId)) };
    },
  });
export const pauseUpgradeRoute = /* @__PURE__ */ control(pauseUpgrade, 'pause: nodes in flight finish, no new node starts (pausing, then paused)');
export const resumeUpgradeRoute = /* @__PURE__ */ control(resumeUpgrade, 'resume a paused upgrade; batches start again at 1 node');
export const cancelUpgradeRoute = /* @__PURE__ */ control(cancelUpgrade, 'cancel a paused (or pausing) upgrade; upgraded nodes stay upgraded');

/** Oldest first, a page at a time; an expired upgrade has no events left to show. */
export const listEventsRoute = /* @__PURE__ */ defineRoute({
  summary: 'what happened, oldest first, a page at a time',
  status: 200,
  response: EventPageSchema,
  errors: [404],
  params: UpgradeParamsSchema,
  query: EventsQuerySchema,
  async run(ctx, { params, query }) {
    const u = await requireUpgrade(ctx.db, params.clusterId, params.upgradeId);
    if (isExpired(u, ctx.now())) return { status: 200, body: { events: [] } };
    return {
      status: 200,
      body: await listEventsPage(ctx.db, u.id, { limit: query.limit, cursor: query.cursor, ...(u.pendingHeld ? {} : { pending: u.pendingEvents }) }),
    };
  },
});
