import {
  AppsV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  Observable,
  PatchStrategy,
  PolicyV1Api,
  VersionApi,
  setHeaderOptions,
  type ConfigurationOptions,
  type V1Node,
  type V1PodDisruptionBudget,
} from '@kubernetes/client-node';
import type { ClusterDriver, CordonResult, DrainBlocker, DrainPass, JobStatus, NodeInfo, UpgradeJobSpec, WorkloadGap } from './clusterDriver.js';
import { blockerFor, budgetRefusal, dispositionOf, forecastPodOf, podKey } from './drainPass.js';
import { snapshotPdb } from './snapshotMap.js';
import { ClusterApiError } from './errors.js';
import { statusOf, toClusterError } from './k8sErrors.js';
import { CONTROL_PLANE_LABELS, LABEL_NODE, nodeLabelValue, upgradeJobName } from './labels.js';
import { ANNOTATION_CORDONED_BY, UPGRADE_NAMESPACE } from '../domain/clusterMarks.js';
import { createRawGet } from './rawGet.js';
import { poolConnections } from './connectionPool.js';
import { DEFAULT_PAGE_SIZE, listAll, readClusterSnapshot, type PageRequest } from './readSnapshot.js';
import { buildUpgradeJob, jobState, upgradeSelector } from './upgradeJob.js';
import { leaseAccess } from './leaseAccess.js';
import { nodeEventRecorder } from './nodeEvents.js';
import { DEFAULT_RETRY_LIMITS, type RetryLimits } from '../domain/retryPolicy.js';
import { createRetry } from './retrying.js';

export interface KubernetesDriverOptions {
  /** per-request deadline; a hung API server must not hold a Lambda until its own timeout (default 30 s) */
  requestTimeoutMs?: number;
  /** items per page of every list (limit, then continue; default 500) */
  pageSize?: number;
  /** reportingInstance on the Kubernetes Events kupgrade records */
  eventInstance?: string;
  /** how transient failures (429, 5xx, dropped connections) are tried again (default DEFAULT_RETRY_LIMITS) */
  retry?: Partial<RetryLimits>;
}

const stripV = (v: string | undefined): string => (v ?? '').replace(/^v/, '');

/** As manifests/rbac.yaml labels it: Pod Security admission must admit the privileged upgrade pods. */
export const UPGRADE_NAMESPACE_LABELS: Record<string, string> = {
  'app.kubernetes.io/managed-by': 'kupgrade',
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
};

function nodeInfoOf(n: V1Node): NodeInfo {
  const labels = n.metadata?.labels ?? {};
  return {
    name: n.metadata?.name ?? '',
    role: CONTROL_PLANE_LABELS.some((l) => l in labels) ? 'master' : 'worker',
    kubeletVersion: stripV(n.status?.nodeInfo?.kubeletVersion),
    ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    unschedulable: n.spec?.unschedulable === true,
    labels,
    annotations: n.metadata?.annotations ?? {},
    createdAt: n.metadata?.creationTimestamp ? new Date(n.metadata.creationTimestamp).toISOString() : undefined,
  };
}

/** How many times cordon/uncordon re-read a node after losing a race (409) before giving up. */
const CONFLICT_RETRIES = 5;

/**
 * The ClusterDriver over the Kubernetes API (@kubernetes/client-node). Each
 * call does one bounded piece of work and reports, so the state machine owns
 * every wait and timeout; the only sleeps are the short, budgeted ones before
 * a request is tried again after a 429, a 5xx or a dropped connection
 * (src/domain/retryPolicy.ts).
 */
export function createKubernetesDriver(kubeconfigYaml: string, options: KubernetesDriverOptions = {}): ClusterDriver {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml);
  poolConnections(kc);
  const server = kc.getCurrentCluster()?.server ?? '(no server in kubeconfig)';
  const core = kc.makeApiClient(CoreV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const version = kc.makeApiClient(VersionApi);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const eventsApi = kc.makeApiClient(EventsV1Api);
  /** the uids of the nodes read through this driver: an Event names its node by uid too (kubectl describe selects on it) */
  const uids = new Map<string, string>();
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const retry = createRetry({ ...DEFAULT_RETRY_LIMITS, ...options.retry });

  const withTimeout = (opts?: ConfigurationOptions): ConfigurationOptions => ({
    ...opts,
    middleware: [
      ...(opts?.middleware ?? []),
      {
        pre: (ctx) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          return new Observable(Promise.resolve(ctx));
        },
        post: (res) => new Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: 'append',
  });
  const mergePatch = () => withTimeout(setHeaderOptions('Content-Type', PatchStrategy.MergePatch));

  /**
   * Runs one API call, tried again after a transient failure, turning transport and auth failures into typed
   * cluster errors; `tolerate` lists HTTP codes returned as undefined.
   */
  async function call<T>(fn: (o: ConfigurationOptions) => Promise<T>, tolerate: number[] = [], opts?: ConfigurationOptions): Promise<T | undefined> {
    const o = opts ?? withTimeout();
    try {
      return await retry(() => fn(o));
    } catch (e) {
      const s = statusOf(e);
      if (s && tolerate.includes(s.code)) return undefined;
      throw toClusterError(e, server);
    }
  }
  const must = async <T>(fn: (o: ConfigurationOptions) => Promise<T>, opts?: ConfigurationOptions): Promise<T> => (await call(fn, [], opts)) as T;

  const remember = (n: V1Node) => {
    if (n.metadata?.name && n.metadata.uid) uids.set(n.metadata.name, n.metadata.uid);
    return n;
  };
  const readNode = async (name: string) => remember(await must((o) => core.readNode({ name }, o)));

  /** A merge patch guarded by the node's resourceVersion: undefined when another writer got there first (409). */
  const patchNodeIfUnchanged = (node: V1Node, body: Record<string, unknown>) =>
    call(
      (o) =>
        core.patchNode(
          {
            name: node.metadata!.name!,
            body: { ...body, metadata: { ...((body.metadata as object) ?? {}), resourceVersion: node.metadata!.resourceVersion } },
          },
          o,
        ),
      [409],
      mergePatch(),
    );

  async function cordon(name: string, upgradeId: string, mayAdopt: (holder: string) => Promise<boolean> = async () => true): Promise<CordonResult> {
    for (let i = 0; i < CONFLICT_RETRIES; i++) {
      const node = await readNode(name);
      const holder = node.metadata?.annotations?.[ANNOTATION_CORDONED_BY];
      if (node.spec?.unschedulable) {
        // Ours if we set it (a retry after a crash); an operator's when unannotated, which we must leave in place afterwards.
        if (holder === upgradeId) return { cordonedByUs: true };
        if (!holder) return { cordonedByUs: false };
        // Left by an ended kupgrade upgrade (e.g. its Job failed, then it was cancelled), or one whose lapsed Lease this
        // upgrade took over: take it over, or nothing would ever undo it. Guarded like the cordon itself.
        if (!(await mayAdopt(holder))) return { cordonedByUs: false, heldBy: holder };
        const adopted = await patchNodeIfUnchanged(node, { metadata: { annotations: { [ANNOTATION_CORDONED_BY]: upgradeId } } });
        if (adopted) return { cordonedByUs: true, adoptedFrom: holder };
        continue;
      }
      const patched = await patchNodeIfUnchanged(node, { metadata: { annotations: { [ANNOTATION_CORDONED_BY]: upgradeId } }, spec: { unschedulable: true } });
      if (patched) return { cordonedByUs: true };
    }
    throw new ClusterApiError(server, 409, 'Conflict', `node ${name} kept changing while kupgrade tried to cordon it`);
  }

  async function uncordon(name: string, upgradeId: string): Promise<boolean> {
    for (let i = 0; i < CONFLICT_RETRIES; i++) {
      const node = await readNode(name);
      if (node.metadata?.annotations?.[ANNOTATION_CORDONED_BY] !== upgradeId) return false;
      const patched = await patchNodeIfUnchanged(node, { metadata: { annotations: { [ANNOTATION_CORDONED_BY]: null } }, spec: { unschedulable: null } });
      if (patched) return true;
    }
    throw new ClusterApiError(server, 409, 'Conflict', `node ${name} kept changing while kupgrade tried to uncordon it`);
  }

  /** Every item of a list, page by page; undefined when a tolerated code (a 404) answered. */
  const listed = <T>(fn: (page: PageRequest, o: ConfigurationOptions) => Promise<{ items: T[] }>, tolerate: number[] = []) =>
    listAll(pageSize, (page) => call((o) => fn(page, o), tolerate));
  const listedAll = async <T>(fn: (page: PageRequest, o: ConfigurationOptions) => Promise<{ items: T[] }>) => (await listed(fn)) ?? [];

  const podsOn = (node: string) => listedAll((page, o) => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}`, ...page }, o));

  async function drain(node: string): Promise<DrainPass> {
    const evicted: string[] = [];
    const blockers: DrainBlocker[] = [];
    const pdbCache = new Map<string, V1PodDisruptionBudget[]>();
    const pdbsIn = async (ns: string) => {
      if (!pdbCache.has(ns)) pdbCache.set(ns, await listedAll((page, o) => policy.listNamespacedPodDisruptionBudget({ namespace: ns, ...page }, o)));
      return pdbCache.get(ns)!;
    };

    for (const pod of await podsOn(node)) {
      const name = pod.metadata!.name!;
      const namespace = pod.metadata!.namespace!;
      const disposition = dispositionOf(pod);
      if (disposition === 'delete') {
        await call((o) => core.deleteNamespacedPod({ name, namespace }, o), [404]);
        evicted.push(podKey(pod));
      } else if (disposition === 'evict') {
        try {
          // a budget's refusal is an answer, never tried again here (failureOf marks it); an overload is
          await retry(() =>
            core.createNamespacedPodEviction(
              { name, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } },
              withTimeout(),
            ),
          );
          evicted.push(podKey(pod));
        } catch (e) {
          const s = statusOf(e);
          if (s?.code === 404) continue; // already gone
          const refusal = s && budgetRefusal(s);
          // A 429 without a budget cause is API rate limiting: the pod stays and the next pass tries again.
          if (!refusal && s?.code === 429) continue;
          if (!refusal) throw toClusterError(e, server);
          blockers.push(blockerFor(pod, refusal, await pdbsIn(namespace)));
        }
      }
    }
    // Evicted pods terminate asynchronously on a real cluster: what is still on the node now is what remains.
    const left = (await podsOn(node)).filter((p) => dispositionOf(p) !== 'stay');
    const remaining = left.map(podKey);
    const terminating = left.filter((p) => dispositionOf(p) === 'terminating').map(podKey);
    return { done: remaining.length === 0, evicted, remaining, terminating, blockers };
  }

  async function ensureNamespace(): Promise<void> {
    const exists = await call((o) => core.readNamespace({ name: UPGRADE_NAMESPACE }, o), [404]);
    if (exists) return;
    await call((o) => core.createNamespace({ body: { metadata: { name: UPGRADE_NAMESPACE, labels: UPGRADE_NAMESPACE_LABELS } } }, o), [409]);
  }

  async function ensureUpgradeJob(spec: UpgradeJobSpec): Promise<{ name: string; created: boolean }> {
    await ensureNamespace();
    const job = buildUpgradeJob(spec);
    const created = await call((o) => batch.createNamespacedJob({ namespace: UPGRADE_NAMESPACE, body: job }, o), [409]);
    return { name: job.metadata!.name!, created: created !== undefined };
  }

  /** The failed container's own words (the recipe's last output), when the pod is still there. */
  async function podFailureMessage(jobName: string): Promise<string | undefined> {
    const pods = await listed((page, o) => core.listNamespacedPod({ namespace: UPGRADE_NAMESPACE, labelSelector: `job-name=${jobName}`, ...page }, o), [404]);
    for (const p of pods ?? []) {
      for (const c of p.status?.containerStatuses ?? []) {
        const t = c.state?.terminated;
        if (t && t.exitCode !== 0) return [t.reason, t.message?.trim()].filter(Boolean).join(': ') || `exit code ${t.exitCode}`;
      }
    }
    return undefined;
  }

  async function upgradeJobStatus(upgradeId: string, node: string, attempt = 1): Promise<JobStatus> {
    const name = upgradeJobName(upgradeId, node, attempt);
    const job = await call((o) => batch.readNamespacedJob({ name, namespace: UPGRADE_NAMESPACE }, o), [404]);
    if (!job) return { name, phase: 'absent' };
    const { phase, failed } = jobState(job);
    if (phase === 'succeeded') {
      const { startTime, completionTime } = job.status ?? {};
      const ran = startTime && completionTime ? (new Date(completionTime).getTime() - new Date(startTime).getTime()) / 1000 : NaN;
      return { name, phase, ...(Number.isFinite(ran) && ran >= 0 ? { ranSeconds: ran } : {}) };
    }
    if (failed) {
      const detail = await podFailureMessage(name);
      const message = [
        `upgrade Job ${UPGRADE_NAMESPACE}/${name} on node ${node} failed: ${failed.reason ?? 'Failed'}${failed.message ? ` (${failed.message})` : ''}`,
        detail,
      ]
        .filter(Boolean)
        .join('; ');
      return { name, phase: 'failed', message };
    }
    // status.ready counts the Job's Ready pods (1.24 on); before that, active ones (Pending included) are all there is
    const { active, ready } = job.status ?? {};
    return { name, phase: 'running', pending: ready !== undefined ? ready === 0 : !(active && active > 0) };
  }

  async function activeUpgradeJobs(node: string): Promise<string[]> {
    const labelSelector = `${upgradeSelector()},${LABEL_NODE}=${nodeLabelValue(node)}`;
    const jobs = await listed((page, o) => batch.listNamespacedJob({ namespace: UPGRADE_NAMESPACE, labelSelector, ...page }, o), [404]);
    return (jobs ?? []).filter((j) => jobState(j).phase === 'running').map((j) => j.metadata!.name!);
  }

  async function unavailableWorkloads(): Promise<WorkloadGap[]> {
    const list = await listedAll((page, o) => apps.listReplicaSetForAllNamespaces(page, o));
    return list
      .map((rs) => ({
        kind: 'ReplicaSet' as const,
        name: `${rs.metadata?.namespace}/${rs.metadata?.name}`,
        ready: rs.status?.readyReplicas ?? 0,
        desired: rs.spec?.replicas ?? 0,
      }))
      .filter((w) => w.ready < w.desired);
  }

  async function deleteUpgradeJobs(upgradeId?: string): Promise<number> {
    const labelSelector = upgradeSelector(upgradeId);
    const jobs = await listed((page, o) => batch.listNamespacedJob({ namespace: UPGRADE_NAMESPACE, labelSelector, ...page }, o), [404]);
    let count = 0;
    for (const j of jobs ?? []) {
      const gone = await call(
        (o) => batch.deleteNamespacedJob({ name: j.metadata!.name!, namespace: UPGRADE_NAMESPACE, propagationPolicy: 'Background' }, o),
        [404],
      );
      if (gone !== undefined) count++;
    }
    // Pods a Job left behind (orphaned, or not yet collected by the garbage collector).
    const pods = await listed((page, o) => core.listNamespacedPod({ namespace: UPGRADE_NAMESPACE, labelSelector, ...page }, o), [404]);
    for (const p of pods ?? []) {
      if (p.metadata?.deletionTimestamp) continue;
      const gone = await call((o) => core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: UPGRADE_NAMESPACE, gracePeriodSeconds: 0 }, o), [404]);
      if (gone !== undefined) count++;
    }
    return count;
  }

  const lease = leaseAccess({ coordination, call: (fn, tolerate, opts) => call(fn, tolerate, opts), mergePatch, ensureNamespace });

  return {
    serverVersion: async () => stripV((await must((o) => version.getCode(o))).gitVersion),
    clusterIdentity: async () => {
      const uid = (await must((o) => core.readNamespace({ name: 'kube-system' }, o))).metadata?.uid;
      if (!uid) throw new ClusterApiError(server, 200, undefined, 'the kube-system namespace has no uid');
      return uid;
    },
    listNodes: async () => (await listedAll((page, o) => core.listNode(page, o))).map((n) => nodeInfoOf(remember(n))),
    recordNodeEvent: nodeEventRecorder({
      events: eventsApi,
      call: (fn, tolerate) => call(fn, tolerate),
      uidOf: async (node) => uids.get(node) ?? (await readNode(node)).metadata?.uid,
      instance: options.eventInstance ?? 'kupgrade',
    }),
    getNode: async (name) => nodeInfoOf(await readNode(name)),
    cordon,
    uncordon,
    drain,
    drainForecastRead: async (nodes) => {
      const pods = (await Promise.all(nodes.map(podsOn))).flat();
      const namespaces = [...new Set(pods.map((p) => p.metadata?.namespace ?? ''))];
      const pdbs = (
        await Promise.all(namespaces.map((ns) => listedAll((page, o) => policy.listNamespacedPodDisruptionBudget({ namespace: ns, ...page }, o))))
      ).flat();
      return { pods: pods.map(forecastPodOf), pdbs: pdbs.map(snapshotPdb) };
    },
    ensureUpgradeJob,
    upgradeJobStatus,
    activeUpgradeJobs,
    unavailableWorkloads,
    deleteUpgradeJobs,
    ...lease,
    readClusterState: () =>
      readClusterSnapshot({
        core,
        batch,
        policy,
        version,
        custom,
        call: (fn, tolerate) => call(fn, tolerate),
        raw: createRawGet(kc, timeoutMs, retry),
        toNodeInfo: nodeInfoOf,
        pageSize,
        readLease: lease.readLease,
      }),
  };
}
