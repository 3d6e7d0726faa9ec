import type { History } from './history.js';
import type { ResourceDef } from './registry.js';
import type { Predicate } from './selectors.js';
import { ApiError, badRequest, invalidFields } from './status.js';
import type { KubeObject, ObjectStore } from './store.js';

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Page {
  items: KubeObject[];
  metadata: ListMeta;
}

/** What a list request asks for, from its query string. */
export interface ListQuery {
  limit: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  /** a label or field selector narrows the list (the server then leaves remainingItemCount out) */
  selecting: boolean;
}

export function listQuery(q: URLSearchParams): ListQuery {
  const limit = Number(q.get('limit') ?? 0);
  if (!Number.isInteger(limit)) throw badRequest(`unable to parse quantity's suffix: limit=${q.get('limit')}`);
  return {
    limit: Math.max(0, limit),
    continue: q.get('continue') || undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') || undefined,
    selecting: !!(q.get('labelSelector') || q.get('fieldSelector')),
  };
}

/** `{"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"}`, base64url without padding, as the etcd3 store encodes it (rv -1: continue at the latest). */
function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  const invalid = (why: string) => badRequest(`invalid continue token: continue key is not valid: ${why}`);
  let c: { v?: string; rv?: number; start?: string };
  try {
    c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof c;
  } catch (e) {
    throw invalid((e as Error).message);
  }
  if (c.v !== 'meta.k8s.io/v1') throw invalid(`server does not recognize this encoded version ${String(c.v)}`);
  if (!c.rv) throw invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (!c.start) throw invalid('encoded start key empty (version meta.k8s.io/v1)');
  return { rv: c.rv, start: c.start };
}

const EXPIRED_LIST = 'The resourceVersion for the provided list is too old.';
const EXPIRED_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, ' +
  'or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an ' +
  'inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function tooLarge(requested: number, current: number): ApiError {
  return new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

/** ListOptions validation: the same refusals, worded as kube-apiserver words them. */
function validate(q: ListQuery): void {
  const match = q.resourceVersionMatch;
  if (!match) return;
  const problems: string[] = [];
  if (q.resourceVersion === undefined || q.resourceVersion === '') problems.push('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (q.continue) problems.push('resourceVersionMatch is forbidden when continue is provided');
  if (match !== 'Exact' && match !== 'NotOlderThan') problems.push(`Unsupported value: "${match}": supported values: "Exact", "NotOlderThan", ""`);
  if (match === 'Exact' && q.resourceVersion === '0') problems.push('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  if (problems.length)
    throw invalidFields(
      'ListOptions.meta.k8s.io',
      'ListOptions',
      '',
      problems.map((m) => ({ field: 'resourceVersionMatch', message: m.startsWith('Unsupported') ? m : `Forbidden: ${m}`, reason: 'FieldValueForbidden' })),
    );
}

/**
 * Which revision a list reads and from which key, by the API's rules for
 * resourceVersion, resourceVersionMatch and continue: no resourceVersion is
 * the latest; "0" is any (the watch cache, which ignores limit); N with
 * Exact (or, legacy, with a limit) is that revision; otherwise not older
 * than N. A continue token pins its list to the revision of the first page.
 */
function plan(q: ListQuery, current: number): { rv: number; start?: string; limit: number; fromToken: boolean } {
  validate(q);
  if (q.continue) {
    if (q.resourceVersion && q.resourceVersion !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    const t = decodeContinue(q.continue);
    return { rv: t.rv < 0 ? current : t.rv, start: t.start, limit: q.limit, fromToken: true };
  }
  const raw = q.resourceVersion;
  if (raw === undefined || raw === '') return { rv: current, limit: q.limit, fromToken: false };
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid resource version: strconv.ParseUint: parsing "${raw}": invalid syntax`);
  if (n === 0) return { rv: current, limit: 0, fromToken: false };
  if (n > current) throw tooLarge(n, current);
  const exact = q.resourceVersionMatch === 'Exact' || (!q.resourceVersionMatch && q.limit > 0);
  return { rv: exact ? n : current, limit: q.limit, fromToken: false };
}

/** The key a list is ordered by, relative to its prefix (etcd's byte order). */
function listKey(o: KubeObject, acrossNamespaces: boolean): string {
  return acrossNamespaces && o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

/** One page of a list, read at the planned revision (from history when that is not the present). */
export function readPage(store: ObjectStore, history: History, def: ResourceDef, namespace: string | undefined, predicate: Predicate, q: ListQuery): Page {
  const current = Number(store.resourceVersion);
  const p = plan(q, current);
  const compacted = p.fromToken && history.takeContinueFault();
  // the present is filtered before it is copied: a selector on a big cluster copies what it matches, not every object
  const all = compacted ? undefined : p.rv === current ? store.list(def.storage, namespace, predicate) : history.at(def.storage, p.rv);
  if (!all) {
    if (!p.fromToken) throw new ApiError(410, 'Expired', EXPIRED_LIST);
    throw new ApiError(410, 'Expired', EXPIRED_CONTINUE, undefined, { continue: encodeContinue(-1, p.start!.slice(0, -1)) });
  }
  const across = def.namespaced && namespace === undefined;
  const keyed = all
    .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
    .map((o) => ({ o, key: listKey(o, across) }))
    .filter((x) => p.start === undefined || x.key >= p.start)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const matching = keyed.filter((x) => predicate(x.o));
  const page = p.limit > 0 ? matching.slice(0, p.limit) : matching;
  const more = page.length < matching.length;
  const metadata: ListMeta = { resourceVersion: String(p.rv) };
  if (more) {
    metadata.continue = encodeContinue(p.rv, page[page.length - 1]!.key);
    if (!q.selecting) metadata.remainingItemCount = matching.length - page.length;
  }
  return { items: page.map((x) => x.o), metadata };
}
