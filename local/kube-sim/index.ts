import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startDaemonSetController, startReplicaSetController } from './controllers/workloads.js';
import { startDisruptionController } from './controllers/disruption.js';
import { seedControlPlane, startControlPlaneController } from './controlPlane.js';
import { startJobController } from './controllers/job.js';
import { startKubelet } from './controllers/kubelet.js';
import { startNamespaceController } from './controllers/namespace.js';
import { startNodeEvents } from './controllers/nodeEvents.js';
import { startNodeLeases } from './controllers/nodeLease.js';
import { startPodTermination } from './controllers/podTermination.js';
import { startScheduler } from './controllers/scheduler.js';
import type { AuditEntry } from './audit.js';
import { simRequest, type SimResponse } from './client.js';
import { Credentials } from './credentials.js';
import { startEventTtl } from './events.js';
import { History } from './history.js';
import { discoveryRoute } from './discovery.js';
import { nodeProxyRoute } from './nodeProxy.js';
import { openApiRoute } from './openapi.js';
import { WatchHub } from './watch.js';
import { buildKubeconfig } from './kubeconfig.js';
import { nodeNameOf, phaseOf } from './pods.js';
import type { ResourceName } from './registry.js';
import { loadSnapshot, persistChanges, restoreSnapshot } from './persistence.js';
import { SimRuntime } from './runtime.js';
import { UPGRADE_NAMESPACE } from '../../src/domain/clusterMarks.js';
import { seedDemoWorkload, seedNamespaces, seedNodes } from './seed.js';
import { createSimServer, type RequestRecord } from './server.js';
import { ObjectStore, type KubeObject } from './store.js';
import { generateSimTls } from './tls.js';

export type { KubeObject } from './store.js';
export interface KubeSimOptions {
  /** false: `requests` records method, path and query only (default true: the bodies of writes too) */
  recordBodies?: boolean;
  masters?: number;
  workers?: number;
  /** initial version of the server and every kubelet, e.g. "1.30.4" */
  version?: string;
  /** how long an upgrade Job's pod runs before it succeeds or fails (default 2000) */
  upgradeMs?: number;
  /** how long a replacement pod takes to become Ready (default 1000) */
  rescheduleMs?: number;
  /** the name of worker i (1-based; default worker-i) */
  workerName?: (i: number) => string;
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
  /**
   * the factor applied to pods' grace periods: the default 0.001 makes the default 30 s pass in 30 ms,
   * 1 is real time. A pod stays Terminating that long after a DELETE or an eviction; gracePeriodSeconds 0
   * removes it at once.
   */
  gracePeriodScale?: number;
  /** how often each kubelet renews its node Lease (default 10000, as a real kubelet) */
  leaseRenewMs?: number;
  /** how long a past resourceVersion stays readable by continue tokens, watches and Exact lists (default 300000, etcd's compaction interval) */
  compactionMs?: number;
  /** sees each request first and may answer it (the local fault injector: local/chaos/faults.ts) */
  intercept?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

interface IssuedToken {
  /** a JWT signed by the sim, with `exp` when issued with expiresInSeconds */
  token: string;
  /** a kubeconfig for the same cluster with this token (its user is named after the credential) */
  kubeconfig: string;
  /** where that kubeconfig was written (next to the default one) */
  kubeconfigPath?: string;
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
  /**
   * Another credential for this cluster, under its own name (several kubeconfigs for one cluster).
   * With expiresInSeconds the token carries an exp, and the server answers 401 once it has passed.
   */
  issueToken(options: { name: string; expiresInSeconds?: number }): IssuedToken;
  /** Every token issued under this name stops working at once (401); returns how many were revoked. */
  revokeToken(name: string): number;
  /** TLS connections accepted so far (a client that keeps its connections alive opens few). */
  readonly tlsConnections: number;
  /** The most upgrade Jobs (in kube-upgrade) ever active at once on each node (nodes that never had one are absent). */
  maxActiveUpgradeJobs(): Record<string, number>;
  /** How many times an upgrade Job's pod has upgraded each node (nodes never upgraded are absent). */
  upgradesPerNode(): Record<string, number>;
  /** Every write answered (create, update, patch, delete, deletecollection), with the credential that made it ("admin": the default token). */
  readonly audit: readonly AuditEntry[];
  /** Compacts the history now: older continue tokens and watch resourceVersions answer 410 Gone. */
  compact(): void;
  /** Test-only fault: the next list with a continue token answers 410 Expired, as if compacted between its pages. */
  expireNextContinue(): void;
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
  // subscribed before seeding, so a watch or a list from any resourceVersion can be served
  const history = new History(store, { maxChanges: 5_000, maxAgeMs: options.compactionMs ?? 300_000 });
  const hub = new WatchHub(store, history);
  const timings = {
    upgradeMs: options.upgradeMs ?? 2000,
    rescheduleMs: options.rescheduleMs ?? 1000,
    gracePeriodMsPerSecond: 1000 * (options.gracePeriodScale ?? 0.001),
    leaseRenewMs: options.leaseRenewMs ?? 10_000,
  };
  const rt = new SimRuntime(store, timings, version);
  for (const start of [
    startScheduler,
    startKubelet,
    startPodTermination,
    startNodeLeases,
    startNodeEvents,
    startReplicaSetController,
    startDaemonSetController,
    startJobController,
    startDisruptionController,
    startNamespaceController,
    startControlPlaneController,
    startEventTtl,
  ])
    start(rt);
  const maxActive = countActiveUpgradeJobs(store);

  rt.booting = true;
  const saved = options.statePath ? loadSnapshot(options.statePath) : undefined;
  if (saved) restoreSnapshot(rt, saved);
  else {
    seedNamespaces(store, ['default', 'kube-system', 'kube-public', 'kube-node-lease']);
    seedNodes(store, { masters, workers, version, ...(options.workerName ? { workerName: options.workerName } : {}) });
    seedControlPlane(store);
    if ((options.workload ?? 'demo') === 'demo') seedDemoWorkload(store, workers);
  }
  await settle(rt);
  rt.booting = false;
  const persistence = options.statePath ? persistChanges(rt, options.statePath) : undefined;

  const tls = await generateSimTls();
  const requests: RequestRecord[] = [];
  const audit: AuditEntry[] = [];
  const credentials = new Credentials(token, 'admin');
  const server = createSimServer({
    rt,
    tls,
    credentials,
    history,
    requests,
    recordBodies: options.recordBodies,
    audit,
    extraRoutes: [discoveryRoute, openApiRoute, nodeProxyRoute(rt)],
    hub,
    intercept: options.intercept,
  });
  let tlsConnections = 0;
  server.on('secureConnection', () => tlsConnections++);
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
    maxActiveUpgradeJobs: () => Object.fromEntries(maxActive),
    object: (resource, namespace, name) => store.get(resource, namespace, name),
    get serverVersion() {
      return rt.gitVersion;
    },
    failReadyz(check) {
      rt.readyzFailure = check;
    },
    issueToken({ name, expiresInSeconds }) {
      const issued = credentials.issue(name, expiresInSeconds);
      const config = buildKubeconfig(url, tls.caCert, issued, { user: name });
      const path = join(dirname(kubeconfigPath), `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.kubeconfig`);
      writeFileSync(path, config, { mode: 0o600 });
      return { token: issued, kubeconfig: config, kubeconfigPath: path };
    },
    revokeToken: (name) => credentials.cut(name),
    upgradesPerNode: () => Object.fromEntries(rt.upgradesByNode),
    get tlsConnections() {
      return tlsConnections;
    },
    audit,
    compact: () => history.compact(),
    expireNextContinue: () => history.expireNextContinue(),
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

/**
 * Watches the upgrade Jobs' pods: for each node, the most that were running
 * (or pending) at once, so a test can tell that two attempts never overlapped.
 */
function countActiveUpgradeJobs(store: ObjectStore): Map<string, number> {
  const most = new Map<string, number>();
  store.onChange((e) => {
    if (e.resource !== 'pods' || e.object.metadata.namespace !== UPGRADE_NAMESPACE) return;
    const node = nodeNameOf(e.object);
    if (!node) return;
    const active = store.list('pods', UPGRADE_NAMESPACE, (p) => nodeNameOf(p) === node && ['Pending', 'Running'].includes(phaseOf(p))).length;
    if (active > (most.get(node) ?? 0)) most.set(node, active);
  });
  return most;
}
