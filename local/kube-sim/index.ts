import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startDaemonSetController, startReplicaSetController } from './controllers/workloads.js';
import { startDisruptionController } from './controllers/disruption.js';
import { seedControlPlane, startControlPlaneController } from './controlPlane.js';
import { startJobController } from './controllers/job.js';
import { startKubelet } from './controllers/kubelet.js';
import { startScheduler } from './controllers/scheduler.js';
import { simRequest, type SimResponse } from './client.js';
import { discoveryRoute } from './discovery.js';
import { nodeProxyRoute } from './nodeProxy.js';
import { openApiRoute } from './openapi.js';
import { WatchHub } from './watch.js';
import { buildKubeconfig } from './kubeconfig.js';
import { nodeNameOf, phaseOf } from './pods.js';
import type { ResourceName } from './registry.js';
import { loadSnapshot, persistChanges, restoreSnapshot } from './persistence.js';
import { SimRuntime } from './runtime.js';
import { seedDemoWorkload, seedNamespaces, seedNodes } from './seed.js';
import { createSimServer, type RequestRecord } from './server.js';
import { ObjectStore, type KubeObject } from './store.js';
import { generateSimTls } from './tls.js';

export type { KubeObject } from './store.js';
export type { RequestRecord } from './server.js';
export type { SimResponse } from './client.js';

export interface KubeSimOptions {
  masters?: number;
  workers?: number;
  /** initial version of the server and every kubelet, e.g. "1.30.4" */
  version?: string;
  /** how long an upgrade Job's pod runs before it succeeds or fails (default 2000) */
  upgradeMs?: number;
  /** how long a replacement pod takes to become Ready (default 1000) */
  rescheduleMs?: number;
  /** 0 = a free port (default) */
  port?: number;
  /** the bearer token clients must send (default: random) */
  token?: string;
  /** 'demo' (default) seeds ReplicaSets, a PDB, a DaemonSet and a bare pod; 'none' only nodes and namespaces */
  workload?: 'none' | 'demo';
  /** where to write kubeconfig (default: a new temp dir) */
  dataDir?: string;
  /** explicit kubeconfig path (overrides dataDir) */
  kubeconfigPath?: string;
  /** keep the cluster's objects in this file: loaded at start instead of seeding, rewritten as they change */
  statePath?: string;
}

export interface KubeSim {
  url: string;
  kubeconfigPath: string;
  /** kubeconfig YAML: server URL, CA data and bearer token */
  kubeconfig: string;
  token: string;
  /** the CA's PEM certificate (also in the kubeconfig as certificate-authority-data) */
  caCert: string;
  /** A raw API call as a client would make it (JSON body; merge patch: contentType 'application/merge-patch+json'). */
  request(method: string, path: string, body?: unknown, options?: { contentType?: string; token?: string | null }): Promise<SimResponse>;
  /** Every request received, in order (test introspection: e.g. "no writes"). */
  readonly requests: RequestRecord[];
  /** Current objects of a resource (copies), optionally in one namespace. */
  objects(resource: ResourceName, namespace?: string): KubeObject[];
  /** One object (a copy), or undefined. */
  object(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined;
  /** The server's current gitVersion, e.g. "v1.30.4". */
  readonly serverVersion: string;
  /** Makes /readyz fail naming this check (e.g. "etcd"), or pass again with undefined: a test-only fault. */
  failReadyz(check: string | undefined): void;
  close(): Promise<void>;
}

async function settle(rt: SimRuntime, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const settled = () => rt.idle && rt.store.list('pods', undefined, (p) => !!nodeNameOf(p) && phaseOf(p) === 'Pending').length === 0;
  while (!settled()) {
    if (Date.now() > deadline) throw new Error('kube-sim: the seeded workload did not settle');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Starts the simulated cluster over HTTPS on 127.0.0.1 and writes its kubeconfig. */
export async function startKubeSim(options: KubeSimOptions = {}): Promise<KubeSim> {
  const masters = options.masters ?? 1;
  const workers = options.workers ?? 3;
  const version = (options.version ?? '1.30.4').replace(/^v/, '');
  const token = options.token ?? randomBytes(24).toString('hex');
  const store = new ObjectStore();
  // subscribed before seeding, so a watch from any resourceVersion can be replayed
  const hub = new WatchHub(store);
  const rt = new SimRuntime(store, { upgradeMs: options.upgradeMs ?? 2000, rescheduleMs: options.rescheduleMs ?? 1000 }, version);
  for (const start of [startScheduler, startKubelet, startReplicaSetController, startDaemonSetController, startJobController, startDisruptionController, startControlPlaneController]) start(rt);

  rt.booting = true;
  const saved = options.statePath ? loadSnapshot(options.statePath) : undefined;
  if (saved) restoreSnapshot(rt, saved);
  else {
    seedNamespaces(store, ['default', 'kube-system', 'kube-public', 'kube-node-lease']);
    seedNodes(store, { masters, workers, version });
  seedControlPlane(store);
    if ((options.workload ?? 'demo') === 'demo') seedDemoWorkload(store, workers);
  }
  await settle(rt);
  rt.booting = false;
  const persistence = options.statePath ? persistChanges(rt, options.statePath) : undefined;

  const tls = await generateSimTls();
  const requests: RequestRecord[] = [];
  const server = createSimServer({ rt, tls, token, requests, extraRoutes: [discoveryRoute, openApiRoute, nodeProxyRoute(rt)], hub });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(options.port ?? 0, '127.0.0.1', () => res());
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = buildKubeconfig(url, tls.caCert, token);
  const kubeconfigPath = resolve(options.kubeconfigPath ?? join(options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kube-sim-'))), 'kubeconfig'));
  await mkdir(dirname(kubeconfigPath), { recursive: true });
  await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });

  let closed: Promise<void> | undefined;
  return {
    url,
    kubeconfigPath,
    kubeconfig,
    token,
    caCert: tls.caCert,
    request: (method, path, body, opts) => simRequest({ url, caCert: tls.caCert, token }, method, path, body, opts),
    requests,
    objects: (resource, namespace) => store.list(resource, namespace),
    object: (resource, namespace, name) => store.get(resource, namespace, name),
    get serverVersion() {
      return rt.gitVersion;
    },
    failReadyz(check) {
      rt.readyzFailure = check;
    },
    close() {
      closed ??= new Promise<void>((res) => {
        persistence?.flush();
        persistence?.stop();
        rt.close();
        server.close(() => res());
        // watch streams end with their last chunk rather than a cut connection,
        hub.close();
        // and idle keep-alive connections go at once; whatever is still busy is cut shortly after
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 100).unref();
      });
      return closed;
    },
  };
}
