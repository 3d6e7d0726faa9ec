import { registerCluster, unregisterCluster } from '../clusters/registerCluster.js';
import { KupgradeError } from '../domain/errors.js';
import type { Upgrade } from '../domain/upgrade.js';
import { listClusters, requireCluster, setMaintenanceWindow, type Cluster } from '../store/clusters.js';
import { getUpgrade } from '../store/upgrades.js';
import type { ApiContext } from './context.js';
import { defineRoute } from './httpHandler.js';
import { ClusterParamsSchema, MaintenanceWindowBodySchema, RegisterClusterSchema } from './schemas.js';
import { clusterDetailView, clusterView } from './views.js';

const activeOf = async (ctx: ApiContext, c: Cluster): Promise<Upgrade | undefined> => (c.activeUpgradeId ? getUpgrade(ctx.db, c.id, c.activeUpgradeId) : undefined);

export const listClustersRoute = defineRoute({
  async run(ctx) {
    const clusters = await listClusters(ctx.db);
    return { status: 200, body: { clusters: await Promise.all(clusters.map(async (c) => clusterView(c, await activeOf(ctx, c)))) } };
  },
});

export const registerClusterRoute = defineRoute({
  body: RegisterClusterSchema,
  async run(ctx, { body }) {
    const { cluster, snapshot } = await registerCluster(ctx, body);
    return { status: 201, body: clusterDetailView(cluster, undefined, { nodes: snapshot.nodes }) };
  },
});

/** The nodes are read live; a cluster that cannot be read now still answers, with the reason. */
export const getClusterRoute = defineRoute({
  params: ClusterParamsSchema,
  async run(ctx, { params }) {
    const cluster = await requireCluster(ctx.db, params.clusterId);
    const nodes = await ctx.reader.read({ kubeconfigRef: cluster.kubeconfigRef }).then(
      (s) => ({ nodes: s.nodes }),
      (err: unknown) => {
        if (!(err instanceof KupgradeError)) throw err;
        return { nodes: [], error: err.message };
      },
    );
    return { status: 200, body: clusterDetailView(cluster, await activeOf(ctx, cluster), nodes) };
  },
});

export const unregisterClusterRoute = defineRoute({
  params: ClusterParamsSchema,
  async run(ctx, { params }) {
    await unregisterCluster(ctx, params.clusterId);
    return { status: 204 };
  },
});

/** Sets or removes the window in which worker batches may start. */
export const setMaintenanceWindowRoute = defineRoute({
  params: ClusterParamsSchema,
  body: MaintenanceWindowBodySchema,
  async run(ctx, { params, body }) {
    await setMaintenanceWindow(ctx.db, params.clusterId, body.maintenanceWindow, ctx.now());
    const cluster = await requireCluster(ctx.db, params.clusterId);
    return { status: 200, body: clusterView(cluster, await activeOf(ctx, cluster)) };
  },
});
