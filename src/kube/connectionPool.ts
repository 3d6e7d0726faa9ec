import type { Cluster, KubeConfig } from '@kubernetes/client-node';
import type { AgentOptions } from 'node:https';

type Dispatcher = unknown;
type DispatcherFactory = (cluster: Cluster | null, options: AgentOptions) => Dispatcher;

/**
 * client-node 2.x builds a new undici Agent for every request, so every
 * request opens its own TLS connection: a handshake and a parse of the CA
 * each time, which on a big cluster costs more than the work. One Agent per
 * set of TLS options lets a step's requests share kept-alive connections.
 * `createDispatcher` is private in the typings; test/integration/k8sDriver
 * holds this to the connections the simulated API server counts, so a
 * client-node that renames it fails a test rather than going slow quietly.
 */
export function poolConnections(kc: KubeConfig): void {
  const target = kc as unknown as { createDispatcher?: DispatcherFactory };
  const create = target.createDispatcher?.bind(kc);
  if (!create) throw new Error('@kubernetes/client-node has no createDispatcher: its connection handling changed, see src/kube/connectionPool.ts');
  const pool = new Map<string, Dispatcher>();
  target.createDispatcher = (cluster, options) => {
    // the TLS material decides the connection; a rotated client certificate gets its own Agent
    const key = JSON.stringify([cluster?.server, cluster?.proxyUrl, options]);
    if (!pool.has(key)) pool.set(key, create(cluster, options));
    return pool.get(key);
  };
}
