import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConflictError } from '../domain/errors.js';
import type { SecretStore } from './secretStore.js';

/** The prefix every kupgrade secret has; the functions' IAM grants are scoped to it. */
export const SECRET_PREFIX = 'kupgrade/';

/** Deployed secrets: `kupgrade/<clusterId>` in Secrets Manager. */
export class SecretsManagerStore implements SecretStore {
  constructor(private readonly client: SecretsManagerClient = new SecretsManagerClient({})) {}

  async putKubeconfig(clusterId: string, kubeconfig: string): Promise<string> {
    try {
      const out = await this.client.send(
        new CreateSecretCommand({ Name: `${SECRET_PREFIX}${clusterId}`, SecretString: kubeconfig, Description: `kubeconfig of cluster ${clusterId}, registered with kupgrade` }),
      );
      return out.ARN!;
    } catch (err) {
      // Not overwritten: a concurrent registration of the same name may own it.
      if ((err as { name?: string }).name === 'ResourceExistsException') {
        throw new ConflictError(`a secret ${SECRET_PREFIX}${clusterId} already exists`, `another registration of ${clusterId} is under way, or a stale secret remains: delete it in Secrets Manager, then register again`);
      }
      throw err;
    }
  }

  owns(clusterId: string, ref: string): boolean {
    // Secrets Manager appends "-" and 6 random characters to the name in the ARN.
    return new RegExp(`:secret:${SECRET_PREFIX}${clusterId}-[A-Za-z0-9]{6}$`).test(ref);
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
