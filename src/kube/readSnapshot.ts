import type { BatchV1Api, ConfigurationOptions, CoreV1Api, CustomObjectsApi, PolicyV1Api, V1Node, VersionApi } from '@kubernetes/client-node';
import type { LeaseRecord } from '../domain/clusterLease.js';
import { readFailed, readOk, type ClusterSnapshot, type KubeletSwap, type Read, type RecordedObject, type ReadyzState } from '../domain/clusterSnapshot.js';
import { resourcesToScan } from '../domain/removedApis.js';
import type { NodeInfo } from './clusterDriver.js';
import { UPGRADE_NAMESPACE } from '../domain/clusterMarks.js';
import { ClusterApiError } from './errors.js';
import { rawMessage, type RawGet } from './rawGet.js';
import { kubeletSwapOf, readyzState, recordedObject, snapshotJob, snapshotNode, snapshotPdb, snapshotPod } from './snapshotMap.js';
import { mapLimit } from '../shared/mapLimit.js';

export interface SnapshotApis {
  core: CoreV1Api;
  batch: BatchV1Api;
  policy: PolicyV1Api;
  version: VersionApi;
  custom: CustomObjectsApi;
  /** the driver's call: typed cluster errors, `tolerate` lists HTTP codes returned as undefined */
  call<T>(fn: (o: ConfigurationOptions) => Promise<T>, tolerate?: number[]): Promise<T | undefined>;
  raw: RawGet;
  toNodeInfo(n: V1Node): NodeInfo;
  /** items per list page */
  pageSize: number;
  readLease(): Promise<LeaseRecord | undefined>;
}

/** Lists are read in pages so a large cluster's pods never arrive as one huge answer. */
export const DEFAULT_PAGE_SIZE = 500;
/** configz is one request per node: a few at a time, so 5,000 nodes neither take forever nor flood the API server. */
const CONFIGZ_CONCURRENCY = 16;

async function part<T>(read: () => Promise<T>): Promise<Read<T>> {
  try {
    return readOk(await read());
  } catch (e) {
    return readFailed((e as Error).message);
  }
}

/** One page request: `limit` items from `_continue` on (both unset: the whole list at once). */
export interface PageRequest {
  limit?: number;
  _continue?: string;
}
type ListPage<T> = { items: T[]; metadata?: { _continue?: string; continue?: string } } | undefined;

/**
 * Every item of a list, `pageSize` at a time, following the continue token
 * (each page of one list reads the same revision). When the revision of a
 * token has been compacted meanwhile (410 Expired), the list is read again
 * whole, as client-go's pager falls back; undefined when `list` tolerated
 * the answer (a 404).
 */
export async function listAll<T>(pageSize: number, list: (page: PageRequest) => Promise<ListPage<T>>): Promise<T[] | undefined> {
  const out: T[] = [];
  let cont: string | undefined;
  do {
    let page: ListPage<T>;
    try {
      page = await list({ limit: pageSize, _continue: cont });
    } catch (e) {
      if (!(cont && e instanceof ClusterApiError && e.code === 410)) throw e;
      return (await list({}))?.items;
    }
    if (!page) return undefined;
    out.push(...page.items);
    cont = page.metadata?._continue ?? page.metadata?.continue;
  } while (cont);
  return out;
}

async function readyz(raw: RawGet): Promise<ReadyzState> {
  const r = await raw('/readyz?verbose');
  // servers without /readyz (before 1.16, some proxies) still answer /healthz
  if (r.status === 404) return readyzState((await raw('/healthz')).status, '');
  if (r.status === 401 || r.status === 403) throw new Error(rawMessage(r));
  return readyzState(r.status, r.body);
}

async function kubeletSwap(raw: RawGet, node: string): Promise<Read<KubeletSwap>> {
  return part(async () => {
    const r = await raw(`/api/v1/nodes/${encodeURIComponent(node)}/proxy/configz`);
    if (r.status !== 200) throw new Error(rawMessage(r));
    return kubeletSwapOf(r.body);
  });
}

/** Objects of the resources that replaced removed API versions; a resource the server does not serve (404) holds none. */
async function recorded(api: SnapshotApis): Promise<ClusterSnapshot['recorded']> {
  const objects: RecordedObject[] = [];
  const unreadable: string[] = [];
  await Promise.all(
    resourcesToScan().map(async (r) => {
      const [group, version] = r.apiVersion.split('/') as [string, string];
      try {
        const items = await listAll<object>(
          api.pageSize,
          (page) => api.call((o) => api.custom.listClusterCustomObject({ group, version, plural: r.resource, ...page }, o), [404]) as Promise<ListPage<object>>,
        );
        for (const item of items ?? []) objects.push(recordedObject(item, r.kind));
      } catch (e) {
        unreadable.push(`${r.resource}.${group}: ${(e as Error).message}`);
      }
    }),
  );
  return { objects: objects.filter((o) => o.apiVersions.length > 0), unreadable: unreadable.sort() };
}

/** Reads everything the precheck judges, with GETs only; a part that cannot be read is recorded as such, never thrown. */
export async function readClusterSnapshot(api: SnapshotApis): Promise<ClusterSnapshot> {
  const must = async <T>(fn: (o: ConfigurationOptions) => Promise<T>) => (await api.call(fn)) as T;
  const [serverVersion, ready, nodeList, pods, pdbs, helperJobs, rec, lease] = await Promise.all([
    part(async () => (await must((o) => api.version.getCode(o))).gitVersion.replace(/^v/, '')),
    part(() => readyz(api.raw)),
    part(async () => (await listAll(api.pageSize, (page) => api.call((o) => api.core.listNode(page, o)))) ?? []),
    part(async () => ((await listAll(api.pageSize, (page) => api.call((o) => api.core.listPodForAllNamespaces(page, o)))) ?? []).map(snapshotPod)),
    part(async () =>
      ((await listAll(api.pageSize, (page) => api.call((o) => api.policy.listPodDisruptionBudgetForAllNamespaces(page, o)))) ?? []).map(snapshotPdb),
    ),
    part(async () =>
      ((await listAll(api.pageSize, (page) => api.call((o) => api.batch.listNamespacedJob({ namespace: UPGRADE_NAMESPACE, ...page }, o), [404]))) ?? []).map(
        snapshotJob,
      ),
    ),
    recorded(api),
    part(async () => {
      const lease = await api.readLease();
      if (!lease) return null;
      const { resourceVersion: _rv, ...record } = lease as LeaseRecord & { resourceVersion?: string };
      return record;
    }),
  ]);
  const nodes: ClusterSnapshot['nodes'] = nodeList.ok
    ? readOk(
        await mapLimit(nodeList.value, CONFIGZ_CONCURRENCY, async (n) =>
          snapshotNode(api.toNodeInfo(n), n, await kubeletSwap(api.raw, n.metadata?.name ?? '')),
        ),
      )
    : readFailed(nodeList.reason);
  return { serverVersion, readyz: ready, nodes, pods, pdbs, helperJobs, recorded: rec, lease };
}
