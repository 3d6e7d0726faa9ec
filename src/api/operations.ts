import type { z } from 'zod';
import {
  CheckParamsSchema,
  CheckSchema,
  ClusterDetailSchema,
  ClusterParamsSchema,
  ClusterSchema,
  RegisterClusterSchema,
  StartUpgradeSchema,
  TargetVersionSchema,
  EventPageSchema,
  EventsQuerySchema,
  MaintenanceWindowBodySchema,
  UpgradeParamsSchema,
  UpgradeSchema,
  VersionsSchema,
} from './schemas.js';
import { z as zod } from 'zod';

export interface Operation {
  /** the function's name in serverless.yml (and its file under functions/api/) */
  fn: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  summary: string;
  params?: z.ZodObject;
  body?: z.ZodType;
  query?: z.ZodObject;
  status: number;
  response?: z.ZodType;
  /** the 4xx answers the route documents besides 400 and 401 */
  errors: number[];
}

/**
 * The HTTP API, for its OpenAPI document. serverless.yml declares the same
 * routes (a unit test holds the two together); the local server reads them
 * from serverless.yml.
 */
export const OPERATIONS: readonly Operation[] = [
  { fn: 'listVersions', method: 'GET', path: '/versions', summary: 'the Kubernetes versions kupgrade can upgrade to', status: 200, response: VersionsSchema, errors: [] },
  { fn: 'getOpenApi', method: 'GET', path: '/openapi.json', summary: 'this document', status: 200, errors: [] },
  { fn: 'listClusters', method: 'GET', path: '/clusters', summary: 'every cluster, with its version, the versions it can go to and its active upgrade', status: 200, response: zod.object({ clusters: zod.array(ClusterSchema) }), errors: [] },
  { fn: 'registerCluster', method: 'POST', path: '/clusters', summary: 'register a cluster: its kubeconfig becomes a secret, its version and nodes are read', body: RegisterClusterSchema, status: 201, response: ClusterDetailSchema, errors: [409, 422] },
  { fn: 'getCluster', method: 'GET', path: '/clusters/{clusterId}', summary: 'one cluster, with its nodes read now', params: ClusterParamsSchema, status: 200, response: ClusterDetailSchema, errors: [404] },
  { fn: 'unregisterCluster', method: 'DELETE', path: '/clusters/{clusterId}', summary: 'unregister a cluster and delete its secret', params: ClusterParamsSchema, status: 204, errors: [404, 409] },
  { fn: 'startCheck', method: 'POST', path: '/clusters/{clusterId}/checks', summary: 'run the upgrade check alone (it only reads the cluster)', params: ClusterParamsSchema, body: TargetVersionSchema, status: 202, response: CheckSchema, errors: [404] },
  { fn: 'getCheck', method: 'GET', path: '/clusters/{clusterId}/checks/{checkId}', summary: 'a check report', params: CheckParamsSchema, status: 200, response: CheckSchema, errors: [404] },
  { fn: 'startUpgrade', method: 'POST', path: '/clusters/{clusterId}/upgrades', summary: 'start an upgrade, now or at startAt', params: ClusterParamsSchema, body: StartUpgradeSchema, status: 202, response: UpgradeSchema, errors: [404, 409] },
  { fn: 'listUpgrades', method: 'GET', path: '/clusters/{clusterId}/upgrades', summary: "this cluster's upgrades, newest first", params: ClusterParamsSchema, status: 200, response: zod.object({ upgrades: zod.array(UpgradeSchema) }), errors: [404] },
  { fn: 'getUpgrade', method: 'GET', path: '/clusters/{clusterId}/upgrades/{upgradeId}', summary: 'one upgrade', params: UpgradeParamsSchema, status: 200, response: UpgradeSchema, errors: [404] },
  { fn: 'pauseUpgrade', method: 'POST', path: '/clusters/{clusterId}/upgrades/{upgradeId}/pause', summary: 'pause: nodes in flight finish, no new node starts (pausing, then paused)', params: UpgradeParamsSchema, status: 202, response: UpgradeSchema, errors: [404, 409] },
  { fn: 'resumeUpgrade', method: 'POST', path: '/clusters/{clusterId}/upgrades/{upgradeId}/resume', summary: 'resume a paused upgrade; batches start again at 1 node', params: UpgradeParamsSchema, status: 202, response: UpgradeSchema, errors: [404, 409] },
  { fn: 'cancelUpgrade', method: 'POST', path: '/clusters/{clusterId}/upgrades/{upgradeId}/cancel', summary: 'cancel a paused (or pausing) upgrade; upgraded nodes stay upgraded', params: UpgradeParamsSchema, status: 202, response: UpgradeSchema, errors: [404, 409] },
  { fn: 'listEvents', method: 'GET', path: '/clusters/{clusterId}/upgrades/{upgradeId}/events', summary: 'what happened, oldest first, a page at a time', params: UpgradeParamsSchema, query: EventsQuerySchema, status: 200, response: EventPageSchema, errors: [404] },
  { fn: 'setMaintenanceWindow', method: 'PUT', path: '/clusters/{clusterId}/maintenance-window', summary: 'set (or with null remove) the window in which worker batches may start', params: ClusterParamsSchema, body: MaintenanceWindowBodySchema, status: 200, response: ClusterSchema, errors: [404] },
];
