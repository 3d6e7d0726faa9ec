import { fail, named, pass, podKey, warn, type Check } from './result.js';

const NAME = 'helper-leftovers';
/** The helper namespace (kept equal to src/cluster/labels.ts UPGRADE_NAMESPACE; the domain imports no adapter). */
export const HELPER_NAMESPACE = 'kube-upgrade';

/**
 * Failed helper pods or Jobs from an earlier attempt block an upgrade until
 * someone has looked at them and deleted them; helpers still running mean
 * another upgrade may be at work on the cluster.
 */
export const helperLeftovers: Check = ({ snapshot: s }) => {
  if (!s.helperJobs.ok) return warn(NAME, `not checked: the Jobs in ${HELPER_NAMESPACE} could not be read (${s.helperJobs.reason})`, `give kupgrade's credentials list access to jobs in ${HELPER_NAMESPACE}`);
  if (!s.pods.ok) return warn(NAME, `not checked: the pods in ${HELPER_NAMESPACE} could not be read (${s.pods.reason})`, `give kupgrade's credentials list access to pods in ${HELPER_NAMESPACE}`);
  const pods = s.pods.value.filter((p) => p.namespace === HELPER_NAMESPACE);
  const failed = [
    ...s.helperJobs.value.filter((j) => j.failed).map((j) => `Job ${j.name}`),
    ...pods.filter((p) => p.phase === 'Failed').map((p) => `pod ${podKey(p)}`),
  ];
  if (failed.length) {
    return fail(NAME, `failed helpers from an earlier attempt in ${HELPER_NAMESPACE}: ${named(failed)}`, `read their logs if needed, then delete them (kubectl -n ${HELPER_NAMESPACE} delete jobs,pods --field-selector=status.phase=Failed, or delete the Jobs named), and run the check again`);
  }
  const active = s.helperJobs.value.filter((j) => j.active).map((j) => j.name);
  if (active.length) return warn(NAME, `helper Jobs still running in ${HELPER_NAMESPACE}: ${named(active)}`, 'make sure no other upgrade is at work on this cluster, or wait for these Jobs to finish');
  return pass(NAME, `no failed or running helper in ${HELPER_NAMESPACE}`);
};
