import { stringify } from 'yaml';

/** A kubeconfig with the server URL, the CA (verified, never skipped) and a bearer token; `user` names the credential (default: the admin). */
export function buildKubeconfig(url: string, caCertPem: string, token: string, o: { cluster?: string; user?: string } = {}): string {
  const name = o.cluster ?? 'kube-sim';
  const user = o.user ? `${name}-${o.user}` : `${name}-admin`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: url, 'certificate-authority-data': Buffer.from(caCertPem).toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name, context: { cluster: name, user } }],
    'current-context': name,
    preferences: {},
  });
}
