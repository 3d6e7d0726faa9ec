import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { KupgradeError } from '../domain/errors.js';

/**
 * A kubeconfig is checked before kupgrade tries to reach its cluster, so a
 * file that does not parse or lacks what a static-credential client needs is
 * a 400 saying what is wrong and where (never quoting the file: it holds a
 * credential), and only a cluster that cannot be reached is a 422.
 */
class KubeconfigInvalidError extends KupgradeError {
  constructor(what: string) {
    super('KubeconfigInvalid', {
      message: `the kubeconfig is not usable: ${what}`,
      remedy:
        'send a kubeconfig with a current-context whose cluster has a server URL (and its CA) and whose user has a token or a client certificate and key; see "Registering a real cluster" in the README',
    });
  }
}

interface Named {
  name?: unknown;
  cluster?: Record<string, unknown>;
  user?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

/** " (line N)" of the item at `path`, to point at it without quoting the file. */
const lineOf = (text: string, doc: Document, path: (string | number)[]) => {
  const node = doc.getIn(path, true) as { range?: [number, number] } | undefined;
  return node?.range ? ` (line ${text.slice(0, node.range[0]).split('\n').length})` : '';
};

export function checkKubeconfig(text: string): void {
  const line = (doc: Document, path: (string | number)[]) => lineOf(text, doc, path);
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    throw new KubeconfigInvalidError(`it is not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${error.code}`);
  }
  if (!isMap(doc.contents)) throw new KubeconfigInvalidError('it is not a YAML mapping (apiVersion, kind: Config, clusters, users, contexts)');
  const config = doc.toJS() as { clusters?: Named[]; users?: Named[]; contexts?: Named[]; 'current-context'?: unknown };
  for (const list of ['clusters', 'users', 'contexts'] as const) {
    if (!isSeq(doc.get(list)) || (config[list] ?? []).length === 0) throw new KubeconfigInvalidError(`it has no ${list}`);
  }
  const current = config['current-context'];
  if (typeof current !== 'string' || current === '') throw new KubeconfigInvalidError('it has no current-context');
  const contextAt = config.contexts!.findIndex((c) => c?.name === current);
  if (contextAt < 0) throw new KubeconfigInvalidError(`its current-context "${current}" names no context`);
  const context = config.contexts![contextAt]!.context ?? {};
  const clusterAt = config.clusters!.findIndex((c) => c?.name === context.cluster);
  if (clusterAt < 0)
    throw new KubeconfigInvalidError(
      `context "${current}"${line(doc, ['contexts', contextAt])} names cluster "${String(context.cluster)}", which is not in clusters`,
    );
  const userAt = config.users!.findIndex((u) => u?.name === context.user);
  if (userAt < 0)
    throw new KubeconfigInvalidError(`context "${current}"${line(doc, ['contexts', contextAt])} names user "${String(context.user)}", which is not in users`);

  const cluster = config.clusters![clusterAt]!.cluster ?? {};
  const where = line(doc, ['clusters', clusterAt]);
  if (typeof cluster.server !== 'string' || !/^https?:\/\/\S+$/.test(cluster.server)) {
    throw new KubeconfigInvalidError(`cluster "${String(context.cluster)}"${where} has no server URL (cluster.server)`);
  }
  if (cluster['certificate-authority']) {
    throw new KubeconfigInvalidError(
      `cluster "${String(context.cluster)}"${where} names its CA by a file path, which kupgrade cannot read: use certificate-authority-data`,
    );
  }

  const user = config.users![userAt]!.user ?? {};
  const who = `user "${String(context.user)}"${line(doc, ['users', userAt])}`;
  if (user.exec || user['auth-provider']) {
    throw new KubeconfigInvalidError(
      `${who} gets its credentials from a plugin (exec or auth-provider), which does not run inside kupgrade: give it a static token`,
    );
  }
  if (user.tokenFile || user['client-certificate'] || user['client-key']) {
    throw new KubeconfigInvalidError(
      `${who} names its credentials by a file path, which kupgrade cannot read: put the token or the certificate data in the file`,
    );
  }
  const hasToken = typeof user.token === 'string' && user.token !== '';
  const hasCert = typeof user['client-certificate-data'] === 'string' && typeof user['client-key-data'] === 'string';
  const hasBasic = typeof user.username === 'string' && typeof user.password === 'string';
  if (!hasToken && !hasCert && !hasBasic) throw new KubeconfigInvalidError(`${who} has no credentials (token, or client-certificate-data and client-key-data)`);
}
