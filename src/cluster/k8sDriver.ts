import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
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
import { blockerFor, budgetRefusal, dispositionOf, podKey } from './drainPass.js';
import { ClusterApiError } from './errors.js';
import { isStatus, statusOf, toClusterError } from './k8sErrors.js';
import { ANNOTATION_CORDONED_BY, CONTROL_PLANE_LABELS, UPGRADE_NAMESPACE, upgradeJobName } from './labels.js';
import { createRawGet } from './rawGet.js';
import { readClusterSnapshot } from './readSnapshot.js';
import { buildUpgradeJob, upgradeSelector } from './upgradeJob.js';

export interface KubernetesDriverOptions {
  /** per-request deadline; a hung API server must not hold a Lambda until its own timeout (default 30 s) */
  requestTimeoutMs?: number;
}

const stripV = (v: string | undefined): string => (v ?? '').replace(/^v/, '');

/** As manifests/rbac.yaml labels it: Pod Security admission must admit the privileged upgrade pods. */
export const UPGRADE_NAMESPACE_LABELS: Record<string, string> = {
  'app.kubernetes.io/managed-by': 'kupgrade',
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
};

export function nodeInfoOf(n: V1Node): NodeInfo {
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
 * The ClusterDriver over the Kubernetes API (@kubernetes/client-node). It never
 * sleeps: each call does one bounded piece of work and reports, so the state
 * machine owns every wait and timeout.
 */
export function createKubernetesDriver(kubeconfigYaml: string, options: KubernetesDriverOptions = {}): ClusterDriver {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml);
  const server = kc.getCurrentCluster()?.server ?? '(no server in kubeconfig)';
  const core = kc.makeApiClient(CoreV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const version = kc.makeApiClient(VersionApi);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const timeoutMs = options.requestTimeoutMs ?? 30_000;

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

  /** Runs one API call, turning transport and auth failures into typed cluster errors; `tolerate` lists HTTP codes returned as undefined. */
  async function call<T>(fn: (o: ConfigurationOptions) => Promise<T>, tolerate: number[] = [], opts?: ConfigurationOptions): Promise<T | undefined> {
    try {
      return await fn(opts ?? withTimeout());
    } catch (e) {
      const s = statusOf(e);
      if (s && tolerate.includes(s.code)) return undefined;
      throw toClusterError(e, server);
    }
  }
  const must = async <T>(fn: (o: ConfigurationOptions) => Promise<T>, opts?: ConfigurationOptions): Promise<T> => (await call(fn, [], opts)) as T;

  const readNode = (name: string) => must((o) => core.readNode({ name }, o));

  /** A merge patch guarded by the node's resourceVersion: undefined when another writer got there first (409). */
  const patchNodeIfUnchanged = (node: V1Node, body: Record<string, unknown>) =>
    call(
      (o) => core.patchNode({ name: node.metadata!.name!, body: { ...body, metadata: { ...((body.metadata as object) ?? {}), resourceVersion: node.metadata!.resourceVersion } } }, o),
      [409],
      mergePatch(),
    );

  async function cordon(name: string, upgradeId: string): Promise<CordonResult> {
    for (let i = 0; i < CONFLICT_RETRIES; i++) {
      const node = await readNode(name);
      const holder = node.metadata?.annotations?.[ANNOTATION_CORDONED_BY];
      if (node.spec?.unschedulable) {
        // Ours if we set it (a retry after a crash); an operator's when unannotated, which we must leave in place afterwards.
        if (holder === upgradeId) return { cordonedByUs: true };
        if (!holder) return { cordonedByUs: false };
        // Left by an ended kupgrade upgrade (e.g. its Job failed, then it was cancelled): only one upgrade is active per
        // cluster, so take it over; otherwise nothing would ever undo it. Guarded like the cordon itself.
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

  const podsOn = async (node: string) => (await must((o) => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }, o))).items;

  async function drain(node: string): Promise<DrainPass> {
    const evicted: string[] = [];
    const blockers: DrainBlocker[] = [];
    const pdbCache = new Map<string, V1PodDisruptionBudget[]>();
    const pdbsIn = async (ns: string) => {
      if (!pdbCache.has(ns)) pdbCache.set(ns, (await must((o) => policy.listNamespacedPodDisruptionBudget({ namespace: ns }, o))).items);
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
          await core.createNamespacedPodEviction({ name, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } }, withTimeout());
          evicted.push(podKey(pod));
        } catch (e) {
          const s = statusOf(e);
          if (s?.code === 404) continue; // already gone
          const refusal = s && budgetRefusal(s);
          // A 429 without a budget cause is API rate limiting: the pod stays and the next pass tries again.
          if (!refusal && s?.code === 429) continue;
          if (!refusal) throw toClusterError(e, server);
          blockers.push(blockerFor(pod, refusal, refusal.pdb ? [] : await pdbsIn(namespace)));
        }
      }
    }
    // Evicted pods terminate asynchronously on a real cluster: what is still on the node now is what remains.
    const remaining = (await podsOn(node)).filter((p) => dispositionOf(p) !== 'stay').map(podKey);
    return { done: remaining.length === 0, evicted, remaining, blockers };
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
    const pods = await call((o) => core.listNamespacedPod({ namespace: UPGRADE_NAMESPACE, labelSelector: `job-name=${jobName}` }, o), [404]);
    for (const p of pods?.items ?? []) {
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
    const conditions = job.status?.conditions ?? [];
    const failed = conditions.find((c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True');
    if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return { name, phase: 'succeeded' };
    if (failed) {
      const detail = await podFailureMessage(name);
      const message = [`upgrade Job ${UPGRADE_NAMESPACE}/${name} on node ${node} failed: ${failed.reason ?? 'Failed'}${failed.message ? ` (${failed.message})` : ''}`, detail].filter(Boolean).join('; ');
      return { name, phase: 'failed', message };
    }
    return { name, phase: 'running' };
  }

  async function unavailableWorkloads(): Promise<WorkloadGap[]> {
    const list = await must((o) => apps.listReplicaSetForAllNamespaces({}, o));
    return list.items
      .map((rs) => ({ kind: 'ReplicaSet' as const, name: `${rs.metadata?.namespace}/${rs.metadata?.name}`, ready: rs.status?.readyReplicas ?? 0, desired: rs.spec?.replicas ?? 0 }))
      .filter((w) => w.ready < w.desired);
  }

  async function deleteUpgradeJobs(upgradeId?: string): Promise<number> {
    const labelSelector = upgradeSelector(upgradeId);
    const jobs = await call((o) => batch.listNamespacedJob({ namespace: UPGRADE_NAMESPACE, labelSelector }, o), [404]);
    let count = 0;
    for (const j of jobs?.items ?? []) {
      const gone = await call((o) => batch.deleteNamespacedJob({ name: j.metadata!.name!, namespace: UPGRADE_NAMESPACE, propagationPolicy: 'Background' }, o), [404]);
      if (gone !== undefined) count++;
    }
    // Pods a Job left behind (orphaned, or not yet collected by the garbage collector).
    const pods = await call((o) => core.listNamespacedPod({ namespace: UPGRADE_NAMESPACE, labelSelector }, o), [404]);
    for (const p of pods?.items ?? []) {
      if (p.metadata?.deletionTimestamp) continue;
      const gone = await call((o) => core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: UPGRADE_NAMESPACE, gracePeriodSeconds: 0 }, o), [404]);
      if (gone !== undefined) count++;
    }
    return count;
  }

  return {
    serverVersion: async () => stripV((await must((o) => version.getCode(o))).gitVersion),
    listNodes: async () => (await must((o) => core.listNode({}, o))).items.map(nodeInfoOf),
    getNode: async (name) => nodeInfoOf(await readNode(name)),
    cordon,
    uncordon,
    drain,
    ensureUpgradeJob,
    upgradeJobStatus,
    unavailableWorkloads,
    deleteUpgradeJobs,
    readClusterState: () => readClusterSnapshot({ core, batch, policy, version, custom, call: (fn, tolerate) => call(fn, tolerate), raw: createRawGet(kc, timeoutMs), toNodeInfo: nodeInfoOf }),
  };
}
