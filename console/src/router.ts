import { useEffect, useState } from 'preact/hooks';

/** The views, by hash: #/clusters, #/clusters/:id, #/clusters/:id/upgrades/:upgradeId. */
export type Route = { view: 'clusters' } | { view: 'cluster'; clusterId: string } | { view: 'upgrade'; clusterId: string; upgradeId: string };

function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'clusters' && parts[1] && parts[2] === 'upgrades' && parts[3]) return { view: 'upgrade', clusterId: parts[1], upgradeId: parts[3] };
  if (parts[0] === 'clusters' && parts[1]) return { view: 'cluster', clusterId: parts[1] };
  return { view: 'clusters' };
}

export const href = {
  clusters: () => '#/clusters',
  cluster: (id: string) => `#/clusters/${encodeURIComponent(id)}`,
  upgrade: (clusterId: string, upgradeId: string) => `#/clusters/${encodeURIComponent(clusterId)}/upgrades/${encodeURIComponent(upgradeId)}`,
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
