import { beforeEach, describe, expect, it } from '@jest/globals';
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { registerCluster, type RegistrationDeps } from '../../../src/registration/registerCluster.js';
import { mayReadSecret } from '../../../src/secrets/secretStore.js';
import { SecretsManagerStore } from '../../../src/secrets/secretsManagerStore.js';

const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;

describe('the deployed secret store of stage prod', () => {
  const sm = mockClient(SecretsManagerClient);
  const store = new SecretsManagerStore('kupgrade/prod/', new SecretsManagerClient({}));
  beforeEach(() => {
    sm.reset();
  });

  it('creates kubeconfigs under the stage prefix its grants reach', async () => {
    sm.on(CreateSecretCommand).resolves({ ARN: arn('kupgrade/prod/lab-AbC123') });
    expect(await store.putKubeconfig('lab', 'apiVersion: v1')).toBe(arn('kupgrade/prod/lab-AbC123'));
    expect(sm.commandCalls(CreateSecretCommand)[0]!.args[0].input).toMatchObject({ Name: 'kupgrade/prod/lab', SecretString: 'apiVersion: v1' });
  });

  it('deletes only the secret it made for that cluster in its own stage', async () => {
    sm.on(DeleteSecretCommand).resolves({});
    await store.deleteKubeconfig('lab', arn('kupgrade/dev/lab-AbC123')); // another stage's
    await store.deleteKubeconfig('lab', arn('kupgrade/prod/lab2-AbC123')); // another cluster's
    await store.deleteKubeconfig('lab', arn('kupgrade/prod/mine')); // a user's own secret, not made by kupgrade
    expect(sm.commandCalls(DeleteSecretCommand)).toHaveLength(0);
    await store.deleteKubeconfig('lab', arn('kupgrade/prod/lab-AbC123'));
    expect(sm.commandCalls(DeleteSecretCommand).map((c) => c.args[0].input.SecretId)).toEqual([arn('kupgrade/prod/lab-AbC123')]);
  });

  it('may read secrets named under its stage prefix only', () => {
    expect(mayReadSecret(store, arn('kupgrade/prod/mine-AbC123'))).toBe(true);
    expect(mayReadSecret(store, 'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:kupgrade/prod/mine-AbC123')).toBe(true);
    expect(mayReadSecret(store, arn('kupgrade/dev/mine-AbC123'))).toBe(false);
    expect(mayReadSecret(store, arn('kupgrade/prodx/mine-AbC123'))).toBe(false);
    expect(mayReadSecret(store, arn('other/kupgrade/prod/mine'))).toBe(false);
  });

  it("refuses to register a cluster with another stage's secret before reading anything", async () => {
    const reads: unknown[] = [];
    const deps: RegistrationDeps = {
      // a table without that cluster: the name is free
      db: { doc: { send: async () => ({}) }, table: 't' } as unknown as RegistrationDeps['db'],
      secrets: store,
      reader: {
        read: async (s) => {
          reads.push(s);
          throw new Error('must not be read');
        },
        readDrain: async () => {
          throw new Error('must not be read');
        },
        startCheck: async () => undefined,
      },
      now: () => '2030-01-01T00:00:00.000Z',
    };
    await expect(registerCluster(deps, { name: 'lab', kubeconfigSecretArn: arn('kupgrade/dev/lab-AbC123') })).rejects.toMatchObject({
      reason: 'InvalidRequest',
      message: expect.stringContaining('kupgrade/prod/'),
    });
    expect(reads).toEqual([]);
  });
});
