import { createKubernetesDriver } from '../kube/k8sDriver.js';
import { readKubeconfig } from '../kube/kubeconfigSource.js';
import type { DriverFactory } from './runtime.js';

/** A cluster's driver over the Kubernetes API, from its kubeconfig in Secrets Manager: for the functions that reach clusters. */
export const kubernetesDrivers: DriverFactory = async (cluster) => createKubernetesDriver(await readKubeconfig(cluster.kubeconfigRef));
