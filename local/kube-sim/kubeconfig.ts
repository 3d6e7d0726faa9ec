import { stringify } from 'yaml';

/** A kubeconfig with the server URL, the CA (verified, never skipped) and a bearer token. */
export function buildKubeconfig(url: string, caCertPem: string, token: string, name = 'kube-sim'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: url, 'certificate-authority-data': Buffer.from(caCertPem).toString('base64') } }],
    users: [{ name: `${name}-admin`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
    'current-context': name,
    preferences: {},
  });
}
