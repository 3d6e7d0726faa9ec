import { VERSION_CATALOG, inCatalog } from '../catalog.js';
import { checkClusterTarget, oldestVersion } from '../versions.js';
import { fail, pass, type CheckRule } from './result.js';

const NAME = 'target-version';

/** One minor at a time or a newer patch, never a downgrade, and only versions kupgrade offers. */
export const targetVersion: CheckRule = ({ targetVersion: target, snapshot: s, catalog = VERSION_CATALOG }) => {
  if (!inCatalog(target, catalog)) {
    return fail(NAME, `${target} is not in the version catalog (${catalog.join(', ')})`, 'choose a version from the catalog');
  }
  if (!s.serverVersion.ok) return fail(NAME, 'the cluster version is unknown', 'make the API server reachable, then run the check again');
  const server = s.serverVersion.value;
  const oldestKubelet = s.nodes.ok ? oldestVersion(s.nodes.value.map((n) => n.kubeletVersion)) : undefined;
  const v = checkClusterTarget({ serverVersion: server, oldestKubelet, target });
  if (!v.ok) return fail(NAME, v.message, 'choose a newer patch of the current minor or the next minor version');
  if (v.kind === 'complete') return pass(NAME, `the control plane runs ${target}; the nodes still behind it will be upgraded`);
  return pass(NAME, `${server} → ${target} is a ${v.kind} upgrade`);
};
