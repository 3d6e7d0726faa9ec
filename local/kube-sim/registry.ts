import { eventFromEventsV1, eventToEventsV1 } from './eventVersions.js';
import type { KubeObject } from './store.js';

/**
 * The resources the simulated API server serves. One row per resource and
 * version: routing, the store, discovery and OpenAPI are all derived from
 * this table, so adding a resource is adding a row.
 */
export interface ResourceDef {
  /** plural name, as in the URL */
  resource: string;
  /** the store bucket; a second version of a resource (events.k8s.io Events) shares the objects of the first */
  storage: ResourceName;
  group: string; // '' = core
  version: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  verbs: string[];
  subresources: string[];
  shortNames?: string[];
  categories?: string[];
  /** how objects of this version are kept (toStorage) and served (fromStorage), when not as stored */
  conversion?: { toStorage: (o: KubeObject) => KubeObject; fromStorage: (o: KubeObject) => KubeObject };
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCES: readonly ResourceDef[] = [
  {
    resource: 'namespaces',
    storage: 'namespaces',
    group: '',
    version: 'v1',
    kind: 'Namespace',
    singular: 'namespace',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status', 'finalize'],
    shortNames: ['ns'],
  },
  {
    resource: 'nodes',
    storage: 'nodes',
    group: '',
    version: 'v1',
    kind: 'Node',
    singular: 'node',
    namespaced: false,
    verbs: RW,
    subresources: ['status', 'proxy'],
    shortNames: ['no'],
  },
  {
    resource: 'pods',
    storage: 'pods',
    group: '',
    version: 'v1',
    kind: 'Pod',
    singular: 'pod',
    namespaced: true,
    verbs: RW,
    subresources: ['status', 'eviction', 'log'],
    shortNames: ['po'],
    categories: ['all'],
  },
  {
    resource: 'events',
    storage: 'events',
    group: '',
    version: 'v1',
    kind: 'Event',
    singular: 'event',
    namespaced: true,
    verbs: RW,
    subresources: [],
    shortNames: ['ev'],
  },
  {
    resource: 'replicasets',
    storage: 'replicasets',
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    singular: 'replicaset',
    namespaced: true,
    verbs: RW,
    subresources: ['status', 'scale'],
    shortNames: ['rs'],
    categories: ['all'],
  },
  {
    resource: 'daemonsets',
    storage: 'daemonsets',
    group: 'apps',
    version: 'v1',
    kind: 'DaemonSet',
    singular: 'daemonset',
    namespaced: true,
    verbs: RW,
    subresources: ['status'],
    shortNames: ['ds'],
    categories: ['all'],
  },
  {
    resource: 'jobs',
    storage: 'jobs',
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    singular: 'job',
    namespaced: true,
    verbs: RW,
    subresources: ['status'],
    categories: ['all'],
  },
  {
    resource: 'poddisruptionbudgets',
    storage: 'poddisruptionbudgets',
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    singular: 'poddisruptionbudget',
    namespaced: true,
    verbs: RW,
    subresources: ['status'],
    shortNames: ['pdb'],
  },
  {
    resource: 'leases',
    storage: 'leases',
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    singular: 'lease',
    namespaced: true,
    verbs: RW,
    subresources: [],
  },
  // The same objects as core/v1 events, in the newer shape (regarding, note, reportingController).
  {
    resource: 'events',
    storage: 'events',
    group: 'events.k8s.io',
    version: 'v1',
    kind: 'Event',
    singular: 'event',
    namespaced: true,
    verbs: RW,
    subresources: [],
    shortNames: ['ev'],
    conversion: { toStorage: eventFromEventsV1, fromStorage: eventToEventsV1 },
  },
];

export type ResourceName = 'namespaces' | 'nodes' | 'pods' | 'events' | 'replicasets' | 'daemonsets' | 'jobs' | 'poddisruptionbudgets' | 'leases';

/** The store buckets, each once. */
export const STORED: readonly ResourceName[] = [...new Set(RESOURCES.map((r) => r.storage))];

export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

/** The row a bucket is first served by (core/v1 for events). */
export function resourceDef(resource: ResourceName): ResourceDef {
  const def = RESOURCES.find((r) => r.storage === resource);
  if (!def) throw new Error(`unknown resource ${resource}`);
  return def;
}

/** An object as this version serves it. */
export function present(def: ResourceDef, o: KubeObject): KubeObject {
  return def.conversion ? def.conversion.fromStorage(o) : o;
}

/** An object written through this version, as it is stored. */
export function intake(def: ResourceDef, o: KubeObject): KubeObject {
  return def.conversion ? def.conversion.toStorage(o) : o;
}

/** The group/versions served, for routing and discovery. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}
