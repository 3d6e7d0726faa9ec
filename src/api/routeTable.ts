import { getCheckRoute, startCheckRoute } from './checkRoutes.js';
import { getClusterRoute, listClustersRoute, registerClusterRoute, setMaintenanceWindowRoute, unregisterClusterRoute } from './clusterRoutes.js';
import type { Route } from './httpHandler.js';
import { getOpenApiRoute, listVersionsRoute } from './metaRoutes.js';
import {
  cancelUpgradeRoute,
  getDrainForecastRoute,
  getUpgradeRoute,
  listEventsRoute,
  listUpgradesRoute,
  pauseUpgradeRoute,
  resumeUpgradeRoute,
  startUpgradeRoute,
} from './upgradeRoutes.js';

/**
 * Every route, keyed by its function's name in serverless.yml, which declares
 * the function, its method, path and role: this table holds schemas and
 * handlers only. test/unit/api/routes.test.ts holds the two together.
 * Read by the OpenAPI generator and the tests; each Lambda imports only its
 * own route (functions/api/<name>.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- routes differ in their params, body and query types; the table only hands them on
export const ROUTES: Record<string, Route<any, any, any>> = {
  listVersions: listVersionsRoute,
  getOpenApi: getOpenApiRoute,
  listClusters: listClustersRoute,
  registerCluster: registerClusterRoute,
  getCluster: getClusterRoute,
  unregisterCluster: unregisterClusterRoute,
  startCheck: startCheckRoute,
  getCheck: getCheckRoute,
  startUpgrade: startUpgradeRoute,
  listUpgrades: listUpgradesRoute,
  getUpgrade: getUpgradeRoute,
  getDrainForecast: getDrainForecastRoute,
  pauseUpgrade: pauseUpgradeRoute,
  resumeUpgrade: resumeUpgradeRoute,
  cancelUpgrade: cancelUpgradeRoute,
  listEvents: listEventsRoute,
  setMaintenanceWindow: setMaintenanceWindowRoute,
};
