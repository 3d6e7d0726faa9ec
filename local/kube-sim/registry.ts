/**
 * The resources the simulated API server serves. One row per resource: routing,
 * the store and (later) discovery are all derived from this table, so adding a
 * resource is adding a row.
 */
export interface ResourceDef {
  /** plural name, also the store key (unique across the groups served here) */
  resource: string;
  group: string; // '' = core
  version: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  verbs: string[];
  subresources: string[];
  shortNames?: string[];
  categories?: string[];
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCES: readonly ResourceDef[] = [
  { resource: 'namespaces', group: '', version: 'v1', kind: 'Namespace', singular: 'namespace', namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: ['status'], shortNames: ['ns'] },
  { resource: 'nodes', group: '', version: 'v1', kind: 'Node', singular: 'node', namespaced: false, verbs: RW, subresources: ['status', 'proxy'], shortNames: ['no'] },
  { resource: 'pods', group: '', version: 'v1', kind: 'Pod', singular: 'pod', namespaced: true, verbs: RW, subresources: ['status', 'eviction'], shortNames: ['po'], categories: ['all'] },
  { resource: 'replicasets', group: 'apps', version: 'v1', kind: 'ReplicaSet', singular: 'replicaset', namespaced: true, verbs: RW, subresources: ['status', 'scale'], shortNames: ['rs'], categories: ['all'] },
  { resource: 'daemonsets', group: 'apps', version: 'v1', kind: 'DaemonSet', singular: 'daemonset', namespaced: true, verbs: RW, subresources: ['status'], shortNames: ['ds'], categories: ['all'] },
  { resource: 'jobs', group: 'batch', version: 'v1', kind: 'Job', singular: 'job', namespaced: true, verbs: RW, subresources: ['status'], categories: ['all'] },
  { resource: 'poddisruptionbudgets', group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', singular: 'poddisruptionbudget', namespaced: true, verbs: RW, subresources: ['status'], shortNames: ['pdb'] },
];

export type ResourceName = 'namespaces' | 'nodes' | 'pods' | 'replicasets' | 'daemonsets' | 'jobs' | 'poddisruptionbudgets';

export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function resourceDef(resource: ResourceName): ResourceDef {
  const def = RESOURCES.find((r) => r.resource === resource);
  if (!def) throw new Error(`unknown resource ${resource}`);
  return def;
}

/** The group/versions served, for routing (and discovery later). */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}
