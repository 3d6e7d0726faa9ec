/**
 * Where registered kubeconfigs are kept: Secrets Manager when deployed, a
 * 0600 file under the data directory locally. A secret is referenced by its
 * `ref` (what the cluster item stores); the text itself is never returned.
 */
export interface SecretStore {
  /** Stores a cluster's kubeconfig and returns its reference; a ConflictError if that cluster's secret already exists. */
  putKubeconfig(clusterId: string, kubeconfig: string): Promise<string>;
  /** Whether kupgrade created the secret `ref` for this cluster (and so may delete it). */
  owns(clusterId: string, ref: string): boolean;
  /** Deletes a secret this store created; deleting one that is gone is harmless. */
  deleteKubeconfig(clusterId: string, ref: string): Promise<void>;
}
