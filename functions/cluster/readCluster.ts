import { createKubernetesDriver } from '../../src/cluster/k8sDriver.js';
import { readKubeconfig } from '../../src/cluster/kubeconfigSource.js';
import { readCluster } from '../../src/clusters/readCluster.js';

/**
 * Reads a cluster's version and nodes for the API (registration, cluster
 * detail), which invokes it synchronously: the Kubernetes client lives here,
 * not in the API bundles. Short request deadlines keep it inside the API's 30 s.
 */
export const handler = (event: unknown) =>
  readCluster({ driverFromKubeconfig: (k) => createKubernetesDriver(k, { requestTimeoutMs: 8_000 }), readKubeconfig }, event);
