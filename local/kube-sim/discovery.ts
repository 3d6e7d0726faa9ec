import type { IncomingMessage } from 'node:http';
import { RESOURCES, groupVersions, type ResourceDef } from './registry.js';
import type { Reply } from './rest.js';

/** What each subresource is, as kube-apiserver lists it in discovery. */
const SUBRESOURCES: Record<string, { kind: (def: ResourceDef) => string; group?: string; version?: string; verbs: string[] }> = {
  status: { kind: (d) => d.kind, verbs: ['get', 'patch', 'update'] },
  eviction: { kind: () => 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
  proxy: { kind: () => 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  scale: { kind: () => 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  log: { kind: () => 'Pod', verbs: ['get'] },
  finalize: { kind: (d) => d.kind, verbs: ['update'] },
};

function resourceList(group: string, version: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const def of RESOURCES.filter((r) => r.group === group && r.version === version)) {
    resources.push({
      name: def.resource,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: def.verbs,
      ...(def.shortNames ? { shortNames: def.shortNames } : {}),
      ...(def.categories ? { categories: def.categories } : {}),
    });
    for (const sub of def.subresources) {
      const s = SUBRESOURCES[sub];
      if (!s) continue;
      resources.push({
        name: `${def.resource}/${sub}`,
        singularName: '',
        namespaced: def.namespaced,
        ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
        kind: s.kind(def),
        verbs: s.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

/**
 * Legacy discovery (/api, /apis, /api/v1, /apis/{g}/{v}) generated from the
 * resource registry, so kubectl can map kinds and short names to paths.
 */
export function discoveryRoute(url: URL, req: IncomingMessage): Reply | undefined {
  if (req.method !== 'GET') return undefined;
  const path = url.pathname.replace(/\/+$/, '');
  const host = req.headers.host ?? '127.0.0.1';
  if (path === '/api') {
    return { code: 200, body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] } };
  }
  const named = groupVersions().filter((gv) => gv.group !== '');
  if (path === '/apis') {
    const groups = [...new Set(named.map((gv) => gv.group))].map((name) => {
      const versions = named.filter((gv) => gv.group === name).map((gv) => ({ groupVersion: `${name}/${gv.version}`, version: gv.version }));
      return { name, versions, preferredVersion: versions[0] };
    });
    return { code: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups } };
  }
  if (path === '/api/v1') return { code: 200, body: resourceList('', 'v1') };
  const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (m) {
    const [, group, version] = m;
    const versions = named.filter((gv) => gv.group === group);
    if (versions.length === 0) return undefined;
    if (!version) {
      const vs = versions.map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
      return { code: 200, body: { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: vs, preferredVersion: vs[0] } };
    }
    if (versions.some((gv) => gv.version === version)) return { code: 200, body: resourceList(group!, version) };
  }
  return undefined;
}
