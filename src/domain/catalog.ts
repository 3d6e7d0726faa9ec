import semver from 'semver';
import { InvalidRequestError } from './errors.js';
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

/** A version of the catalog as a target for this cluster: offered, or refused and why (a downgrade, a skipped minor, …). */
export type VersionChoice = { version: string; offered: true } | { version: string; offered: false; reason: string };

export function versionChoices(args: { serverVersion: string; oldestKubelet?: string }, catalog: readonly string[] = VERSION_CATALOG): VersionChoice[] {
  return [...catalog].sort(semver.compare).map((version) => {
    const verdict = checkClusterTarget({ ...args, target: version });
    return verdict.ok ? { version, offered: true } : { version, offered: false, reason: verdict.message };
  });
}

export function inCatalog(version: string, catalog: readonly string[] = VERSION_CATALOG): boolean {
  const v = parseVersion(version);
  return !!v && catalog.some((c) => semver.eq(c, v));
}

/** The version policy applied to the cluster as stored: a 400 naming why, for an upgrade and for a check alike. */
export function requireUpgradePath(cluster: { version: string; oldestKubelet?: string }, targetVersion: string): void {
  const verdict = checkClusterTarget({ serverVersion: cluster.version, oldestKubelet: cluster.oldestKubelet, target: targetVersion });
  if (!verdict.ok) {
    throw new InvalidRequestError(verdict.message, `choose a newer patch of ${cluster.version} or the next minor version`);
  }
  // Only versions of the catalog are offered (GET /versions), as a managed console offers its list; a start by hand gets the same answer.
  if (!inCatalog(targetVersion)) {
    throw new InvalidRequestError(
      `${targetVersion} is not a version kupgrade offers`,
      `choose one of ${VERSION_CATALOG.join(', ')} (GET /versions, or availableUpgrades of the cluster)`,
    );
  }
}
