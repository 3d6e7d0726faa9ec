import type { UpgradeRecipe } from '../kube/clusterDriver.js';
import { ConflictError, InvalidRequestError, KupgradeError } from '../domain/errors.js';
import { oldestVersion, sameVersion } from '../domain/versions.js';
import { mayReadSecret, type SecretStore } from '../secrets/secretStore.js';
import { deleteCluster, getCluster, putCluster, requireCluster, setClusterIdentity, type Cluster } from '../store/clusters.js';
import { claimIdentity, releaseIdentity } from '../store/identities.js';
import type { Db } from '../store/db.js';
import type { ClusterReader, ClusterOverview } from './clusterReader.js';

export interface RegistrationDeps {
  db: Db;
  reader: ClusterReader;
  secrets: SecretStore;
  now(): string;
}

export type Registration = { name: string; recipe?: UpgradeRecipe } & ({ kubeconfig: string } | { kubeconfigSecretArn: string });

/**
 * Registers a cluster under its name. The cluster is read first, so a
 * kubeconfig that cannot reach it stores nothing; then its identity is
 * claimed (one physical cluster, one registration: a second is a 409 naming
 * the first), the kubeconfig becomes a secret and the cluster item is written
 * (conditionally: a name is taken once). A failed write gives back what the
 * ones before it took.
 */
export async function registerCluster(deps: RegistrationDeps, reg: Registration): Promise<{ cluster: Cluster; overview: ClusterOverview }> {
  const id = reg.name;
  if (await getCluster(deps.db, id))
    throw new ConflictError(`cluster ${id} is already registered`, 'choose another name, or unregister it first with DELETE /clusters/{clusterId}');
  if ('kubeconfigSecretArn' in reg && !mayReadSecret(deps.secrets, reg.kubeconfigSecretArn)) {
    throw new InvalidRequestError(
      `kupgrade cannot read the secret ${reg.kubeconfigSecretArn}: its grants reach only secrets named ${deps.secrets.namePrefix}…`,
      `store the kubeconfig as a secret named ${deps.secrets.namePrefix}${id} in this account and region, or register with the kubeconfig itself`,
    );
  }
  // the read checks the kubeconfig first (readCluster.ts): one that is not usable is a 400 saying why, before any network call
  const overview = await deps.reader
    .read('kubeconfig' in reg ? { kubeconfig: reg.kubeconfig } : { kubeconfigRef: reg.kubeconfigSecretArn })
    .catch((err: unknown) => {
      throw forRegistration(err);
    });
  const now = deps.now();
  await claimIdentity(deps.db, overview.identity, id, now);
  let kubeconfigRef: string;
  try {
    kubeconfigRef = 'kubeconfig' in reg ? await deps.secrets.putKubeconfig(id, reg.kubeconfig) : reg.kubeconfigSecretArn;
  } catch (err) {
    await releaseIdentity(deps.db, overview.identity, id);
    throw err;
  }
  const oldest = oldestVersion(overview.nodes.map((n) => n.version));
  const cluster: Cluster = {
    id,
    name: reg.name,
    version: overview.version,
    identity: overview.identity,
    ...(oldest && !sameVersion(oldest, overview.version) ? { oldestKubelet: oldest } : {}),
    kubeconfigRef,
    ...(reg.recipe ? { recipe: reg.recipe } : {}),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await putCluster(deps.db, cluster);
  } catch (err) {
    // A concurrent registration of the same name and cluster won: its secret (the same name) and its identity claim are its own now, not ours to give back.
    const winner = err instanceof ConflictError ? await getCluster(deps.db, id) : undefined;
    if (winner?.kubeconfigRef !== kubeconfigRef) await deps.secrets.deleteKubeconfig(id, kubeconfigRef);
    if (winner?.identity !== overview.identity) await releaseIdentity(deps.db, overview.identity, id);
    throw err;
  }
  return { cluster, overview };
}

/** Unregisters a cluster with no active upgrade (409 otherwise) and deletes the secret kupgrade stored for it. */
export async function unregisterCluster(deps: RegistrationDeps, clusterId: string): Promise<void> {
  const cluster = await requireCluster(deps.db, clusterId);
  await deleteCluster(deps.db, clusterId, deps.now());
  await deps.secrets.deleteKubeconfig(clusterId, cluster.kubeconfigRef);
  // last: a crash before it leaves a claim naming a cluster that is gone, which the next registration takes over
  if (cluster.identity) await releaseIdentity(deps.db, cluster.identity, clusterId);
}

/**
 * A cluster registered before identities were read gets its identity on its
 * next read, if no other registration of the same cluster holds it (then the
 * two stay registered, and the Lease in the cluster keeps their upgrades apart).
 */
export async function fillIdentity(deps: Pick<RegistrationDeps, 'db' | 'now'>, cluster: Cluster, overview: ClusterOverview): Promise<Cluster> {
  if (cluster.identity) return cluster;
  try {
    await claimIdentity(deps.db, overview.identity, cluster.id, deps.now());
  } catch (err) {
    if (err instanceof ConflictError) return cluster;
    throw err;
  }
  await setClusterIdentity(deps.db, cluster.id, overview.identity, deps.now());
  return { ...cluster, identity: overview.identity };
}

/** A cluster's remedies say what to do before resuming an upgrade; at registration the next step is to register again. */
function forRegistration(err: unknown): unknown {
  if (!(err instanceof KupgradeError) || !/then resume(?: the upgrade)?$/.test(err.remedy)) return err;
  return new KupgradeError(err.reason, {
    message: err.message,
    remedy: err.remedy.replace(/then resume(?: the upgrade)?$/, 'then register the cluster again'),
    cause: err,
  });
}
