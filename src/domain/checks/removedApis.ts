import { removalAt } from '../removedApis.js';
import { fail, named, pass, warn, type CheckRule } from './result.js';

const NAME = 'removed-apis';

/**
 * Objects last written with an API version the target no longer serves:
 * the cluster converted them, but the manifests (and tools) that wrote them
 * will fail against the target, so each one is named.
 */
export const removedApis: CheckRule = ({ targetVersion: target, snapshot: s }) => {
  const found: string[] = [];
  for (const o of s.recorded.objects) {
    const hits = new Map<string, string>();
    for (const a of o.apiVersions) {
      const r = removalAt(a.apiVersion, a.kind, target);
      if (r) hits.set(r.apiVersion, `removed in 1.${r.removedInMinor}${r.replacement ? `, use ${r.replacement.apiVersion}` : ''}; ${a.source}`);
    }
    const id = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
    for (const [apiVersion, why] of hits) found.push(`${id} (${apiVersion}, ${why})`);
  }
  const unread = s.recorded.unreadable.length ? `; not scanned: ${s.recorded.unreadable.join('; ')}` : '';
  if (found.length) {
    return fail(
      NAME,
      `objects written with API versions ${target} does not serve: ${named(found)}${unread}`,
      'update the manifests (and Helm charts) of these objects to the current API version and apply them again, then run the check again',
    );
  }
  if (unread)
    return warn(
      NAME,
      `no object uses a removed API version in what could be read${unread}`,
      "give kupgrade's credentials list access to these resources, or check them by hand",
    );
  return pass(NAME, `no object uses an API version removed at or before ${target}`);
};
