import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let secrets: SecretsManagerClient | undefined;

/**
 * Reads a cluster's kubeconfig from where its reference points: a Secrets
 * Manager ARN when deployed, `file:<path>` for the local stack. The text is
 * handed to the driver and never stored or logged anywhere else.
 */
export async function readKubeconfig(ref: string): Promise<string> {
  if (ref.startsWith('file:')) return readFile(ref.slice('file:'.length), 'utf8');
  if (ref.startsWith('arn:aws:secretsmanager:')) {
    secrets ??= new SecretsManagerClient({});
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: ref }));
    if (!out.SecretString) throw new Error(`secret ${ref} holds no kubeconfig text`);
    return out.SecretString;
  }
  throw new Error(`unknown kubeconfig reference "${ref}": expected file:<path> or a Secrets Manager ARN`);
}
