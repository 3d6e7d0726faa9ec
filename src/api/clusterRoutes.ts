import { fillIdentity, registerCluster, unregisterCluster } from '../registration/registerCluster.js';
import { KupgradeError } from '../domain/errors.js';
import type { Upgrade } from '../domain/upgrade.js';
import { listClusters, requireCluster, setMaintenanceWindow, type Cluster } from '../store/clusters.js';
import { getUpgrade } from '../store/upgrades.js';
import type { ApiContext } from './context.js';
import { defineRoute } from './httpHandler.js';
import { ClusterDetailSchema, ClusterListSchema, ClusterParamsSchema, ClusterSchema, MaintenanceWindowBodySchema, RegisterClusterSchema } from './schemas.js';
import { clusterDetailView, clusterView } from './views.js';

const activeOf = async (ctx: ApiContext, c: Cluster): Promise<Upgrade | undefined> =>
  c.activeUpgradeId ? getUpgrade(ctx.db, c.id, c.activeUpgradeId) : undefined;

export const listClustersRoute = /* @__PURE__ */ defineRoute({
  summary: 'every cluster, with its version, the versions it can go to and its active upgrade',
  status: 200,
  response: ClusterListSchema,
  errors: [],
  async run(ctx) {
    const clusters = await listClusters(ctx.db);
    return { status: 200, body: { clusters: await Promise.all(clusters.map(async (c) => clusterView(c, await activeOf(ctx, c)))) } };
  },
});

export const registerClusterRoute = /* @__PURE__ */ defineRoute({
  summary: 'register a cluster: its kubeconfig becomes a secret, its version and nodes are read',
  status: 201,
  response: ClusterDetailSchema,
  errors: [409, 422],
  body: RegisterClusterSchema,
  async run(ctx, { body }) {
    const { cluster, overview } = await registerCluster(ctx, body);
    return { status: 201, body: clusterDetailView(cluster, undefined, { nodes: overview.nodes }) };
  },
});

/** The nodes are read live; a cluster that cannot be read now still answers, with the reason. */
export const getClusterRoute = /* @__PURE__ */ defineRoute({
  summary: 'one cluster, with its nodes read now',
  status: 200,
  response: ClusterDetailSchema,
  errors: [404],
  params: ClusterParamsSchema,
  async run(ctx, { params }) {
    const cluster = await requireCluster(ctx.db, params.clusterId);
    const nodes = await ctx.reader.read({ kubeconfigRef: cluster.kubeconfigRef }).then(
      async (overview) => {
        await fillIdentity(ctx, cluster, overview);
        return { nodes: overview.nodes };
      },
      (err: unknown) => {
        if (!(err instanceof KupgradeError)) throw err;
        return { nodes: [], error: err.message };
      },
    );
    return { status: 200, body: clusterDetailView(cluster, await activeOf(ctx, cluster), nodes) };
  },
});

export const unregisterClusterRoute = /* @__PURE__ */ defineRoute({
  summary: 'unregister a cluster and delete its secret',
  status: 204,
  errors: [404, 409],
  params: ClusterParamsSchema,
  async run(ctx, { params }) {
    await unregisterCluster(ctx, params.clusterId);
    return { status: 204 };
  },
});

/** Sets or removes the window in which worker batches may start. */
export const setMaintenanceWindowRoute = /* @__PURE__ */ defineRoute({
  summary: 'set (or with null remove) the window in which worker batches may start',
  status: 200,
  response: ClusterSchema,
  errors: [404],
  params: ClusterParamsSchema,
  body: MaintenanceWindowBodySchema,
  async run(ctx, { params, body }) {
    await setMaintenanceWindow(ctx.db, params.clusterId, body.maintenanceWindow, ctx.now());
    const cluster = await requireCluster(ctx.db, params.clusterId);
    return { status: 200, body: clusterView(cluster, await activeOf(ctx, cluster)) };
  },
});
