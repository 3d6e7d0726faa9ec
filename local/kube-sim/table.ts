import type { ListMeta } from './paging.js';
import { PRINTERS } from './printers.js';
import { present, type ResourceDef } from './registry.js';
import { ApiError } from './status.js';
import type { KubeObject } from './store.js';

/**
 * Whether the client asked for a meta.k8s.io Table (kubectl get sends
 * `application/json;as=Table;v=v1;g=meta.k8s.io, …, application/json`). The
 * first acceptable media type wins, as in content negotiation.
 */
export function wantsTable(accept: string | undefined): boolean {
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p = Object.fromEntries(params.map((x) => x.split('=').map((s) => s.trim()) as [string, string]));
    if (type !== 'application/json' && type !== '*/*') continue;
    if (!p.as) return false;
    if (p.as === 'Table' && p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1')) return true;
  }
  return false;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function parseIncludeObject(raw: string | null): IncludeObject {
  if (!raw) return 'Metadata';
  if (raw === 'None' || raw === 'Metadata' || raw === 'Object') return raw;
  throw new ApiError(400, 'BadRequest', `includeObject must be one of None, Metadata or Object, got "${raw}"`);
}

function rowObject(def: ResourceDef, o: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return present(def, o);
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/**
 * Stored objects as a meta.k8s.io/v1 Table (a list's continue token and
 * remaining count carried over). `columns: false` leaves the column
 * definitions out, as the server does after the first event of a watch.
 */
export function toTable(
  def: ResourceDef,
  objects: KubeObject[],
  opts: { include: IncludeObject; listMeta?: Partial<ListMeta>; columns?: boolean },
): Record<string, unknown> {
  const printer = PRINTERS[def.storage];
  const now = Date.now();
  const columns = printer?.columns ?? [{ name: 'Name', type: 'string', format: 'name', priority: 0, description: 'Name' }];
  const rows = objects.map((o) => {
    const object = rowObject(def, o, opts.include);
    return { cells: printer ? printer.cells(o, now) : [o.metadata.name], ...(object ? { object } : {}) };
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.listMeta ?? {},
    columnDefinitions: opts.columns === false ? [] : columns,
    rows,
  };
}
