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
  /** Secrets Manager names kupgrade's functions may read (their grants reach no other): a secret a user names must start with it. */
  readonly namePrefix: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A Secrets Manager ARN whose secret name matches `name` (a regular expression source). */
const secretArnPattern = (name: string) => new RegExp(`^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:${name}$`);

/** Whether `arn` names a Secrets Manager secret under the store's prefix, so kupgrade's functions can read it. */
export function mayReadSecret(store: Pick<SecretStore, 'namePrefix'>, arn: string): boolean {
  return secretArnPattern(`${escapeRegExp(store.namePrefix)}[A-Za-z0-9/_+=.@-]+`).test(arn);
}

/** Whether `arn` is the secret `<prefix><clusterId>` (Secrets Manager appends "-" and 6 random characters to the name in the ARN). */
export function isClusterSecret(store: Pick<SecretStore, 'namePrefix'>, clusterId: string, arn: string): boolean {
  return secretArnPattern(`${escapeRegExp(store.namePrefix + clusterId)}-[A-Za-z0-9]{6}`).test(arn);
}
