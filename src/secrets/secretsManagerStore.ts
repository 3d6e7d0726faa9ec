import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConflictError } from '../domain/errors.js';
import { isClusterSecret, type SecretStore } from './secretStore.js';

/**
 * Deployed secrets: `<prefix><clusterId>` in Secrets Manager. The prefix is
 * the stage's (`kupgrade/<stage>/`, SECRET_PREFIX): the functions' IAM grants
 * reach only names under it, so one stage never reads another's kubeconfigs.
 */
export class SecretsManagerStore implements SecretStore {
  constructor(
    readonly namePrefix: string,
    private readonly client: SecretsManagerClient = new SecretsManagerClient({}),
  ) {}

  async putKubeconfig(clusterId: string, kubeconfig: string): Promise<string> {
    try {
      const out = await this.client.send(
        new CreateSecretCommand({
          Name: `${this.namePrefix}${clusterId}`,
          SecretString: kubeconfig,
          Description: `kubeconfig of cluster ${clusterId}, registered with kupgrade`,
        }),
      );
      return out.ARN!;
    } catch (err) {
      // Not overwritten: a concurrent registration of the same name may own it.
      if ((err as { name?: string }).name === 'ResourceExistsException') {
        throw new ConflictError(
          `a secret ${this.namePrefix}${clusterId} already exists`,
          `another registration of ${clusterId} is under way, or a stale secret remains: delete it in Secrets Manager, then register again`,
        );
      }
      throw err;
    }
  }

  owns(clusterId: string, ref: string): boolean {
    return isClusterSecret(this, clusterId, ref);
  }

  async deleteKubeconfig(clusterId: string, ref: string): Promise<void> {
    if (!this.owns(clusterId, ref)) return;
    try {
      // No recovery window: the name must be free for a later registration of the same cluster.
      await this.client.send(new DeleteSecretCommand({ SecretId: ref, ForceDeleteWithoutRecovery: true }));
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    }
  }
}
