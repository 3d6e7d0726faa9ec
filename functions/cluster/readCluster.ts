import { createKubernetesDriver } from '../../src/kube/k8sDriver.js';
import { readKubeconfig } from '../../src/kube/kubeconfigSource.js';
import { readCluster } from '../../src/registration/readCluster.js';

/**
 * Reads a cluster's version and nodes for the API (registration, cluster
 * detail), which invokes it synchronously: the Kubernetes client lives here,
 * not in the API bundles. Short request deadlines, and a short budget for
 * retries of transient failures, keep it inside the API's 30 s.
 */
export const handler = (event: unknown) =>
  readCluster(
    { driverFromKubeconfig: (k) => createKubernetesDriver(k, { requestTimeoutMs: 8_000, retry: { maxDelayMs: 2_000, budgetMs: 5_000 } }), readKubeconfig },
    event,
  );
