import semver from 'semver';
import { checkClusterTarget, parseVersion } from './versions.js';

/**
 * The Kubernetes versions kupgrade offers: each supported minor with its
 * latest patch. Kept in the repository and updated with releases.
 */
export const VERSION_CATALOG: readonly string[] = ['1.29.15', '1.30.14', '1.31.10', '1.32.6'];

export function newestCatalogVersion(catalog: readonly string[] = VERSION_CATALOG): string {
  return [...catalog].sort(semver.rcompare)[0]!;
}

/** The catalog versions a cluster may go to next, by the version policy. */
export function availableUpgrades(args: { serverVersion: string; oldestKubelet?: string }, catalog: readonly string[] = VERSION_CATALOG): string[] {
  return catalog.filter((target) => checkClusterTarget({ ...args, target }).ok).sort(semver.compare);
}

export function inCatalog(version: string, catalog: readonly string[] = VERSION_CATALOG): boolean {
  const v = parseVersion(version);
  return !!v && catalog.some((c) => semver.eq(c, v));
}
