import type { UpgradeRecipe } from '../cluster/clusterDriver.js';
import { ConflictError, InvalidRequestError } from '../domain/errors.js';
import { oldestVersion, sameVersion } from '../domain/versions.js';
import { mayReadSecret, type SecretStore } from '../secrets/secretStore.js';
import { deleteCluster, getCluster, putCluster, requireCluster, type Cluster } from '../store/clusters.js';
import type { Db } from '../store/db.js';
import type { ClusterReader, ClusterSnapshot } from './clusterReader.js';

export interface RegistrationDeps {
  db: Db;
  reader: ClusterReader;
  secrets: SecretStore;
  now(): string;
}

export type Registration = { name: string; recipe?: UpgradeRecipe } & ({ kubeconfig: string } | { kubeconfigSecretArn: string });

/**
 * Registers a cluster under its name. The cluster is read first, so a
 * kubeconfig that cannot reach it stores nothing; then the kubeconfig becomes
 * a secret and the cluster item is written (conditionally: a name is taken
 * once). A failed item write removes the secret it had just stored.
 */
export async function registerCluster(deps: RegistrationDeps, reg: Registration): Promise<{ cluster: Cluster; snapshot: ClusterSnapshot }> {
  const id = reg.name;
  if (await getCluster(deps.db, id)) throw new ConflictError(`cluster ${id} is already registered`, 'choose another name, or unregister it first with DELETE /clusters/{clusterId}');
  if ('kubeconfigSecretArn' in reg && !mayReadSecret(deps.secrets, reg.kubeconfigSecretArn)) {
    throw new InvalidRequestError(
      `kupgrade cannot read the secret ${reg.kubeconfigSecretArn}: its grants reach only secrets named ${deps.secrets.namePrefix}…`,
      `store the kubeconfig as a secret named ${deps.secrets.namePrefix}${id} in this account and region, or register with the kubeconfig itself`,
    );
  }
  const snapshot = 'kubeconfig' in reg ? await deps.reader.read({ kubeconfig: reg.kubeconfig }) : await deps.reader.read({ kubeconfigRef: reg.kubeconfigSecretArn });
  const kubeconfigRef = 'kubeconfig' in reg ? await deps.secrets.putKubeconfig(id, reg.kubeconfig) : reg.kubeconfigSecretArn;
  const now = deps.now();
  const oldest = oldestVersion(snapshot.nodes.map((n) => n.version));
  const cluster: Cluster = {
    id,
    name: reg.name,
    version: snapshot.version,
    ...(oldest && !sameVersion(oldest, snapshot.version) ? { oldestKubelet: oldest } : {}),
    kubeconfigRef,
    ...(reg.recipe ? { recipe: reg.recipe } : {}),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await putCluster(deps.db, cluster);
  } catch (err) {
    await deps.secrets.deleteKubeconfig(id, kubeconfigRef);
    throw err;
  }
  return { cluster, snapshot };
}

/** Unregisters a cluster with no active upgrade (409 otherwise) and deletes the secret kupgrade stored for it. */
export async function unregisterCluster(deps: RegistrationDeps, clusterId: string): Promise<void> {
  const cluster = await requireCluster(deps.db, clusterId);
  await deleteCluster(deps.db, clusterId, deps.now());
  await deps.secrets.deleteKubeconfig(clusterId, cluster.kubeconfigRef);
}
