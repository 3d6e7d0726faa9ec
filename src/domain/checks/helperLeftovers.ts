import { UPGRADE_NAMESPACE } from '../clusterMarks.js';
import { fail, named, pass, podKey, warn, type CheckRule } from './result.js';

const NAME = 'helper-leftovers';

/**
 * Failed helper pods or Jobs from an earlier attempt block an upgrade until
 * someone has looked at them and deleted them; helpers still running mean
 * another upgrade may be at work on the cluster.
 */
export const helperLeftovers: CheckRule = ({ snapshot: s }) => {
  if (!s.helperJobs.ok)
    return warn(
      NAME,
      `not checked: the Jobs in ${UPGRADE_NAMESPACE} could not be read (${s.helperJobs.reason})`,
      `give kupgrade's credentials list access to jobs in ${UPGRADE_NAMESPACE}`,
    );
  if (!s.pods.ok)
    return warn(
      NAME,
      `not checked: the pods in ${UPGRADE_NAMESPACE} could not be read (${s.pods.reason})`,
      `give kupgrade's credentials list access to pods in ${UPGRADE_NAMESPACE}`,
    );
  const pods = s.pods.value.filter((p) => p.namespace === UPGRADE_NAMESPACE);
  const failed = [
    ...s.helperJobs.value.filter((j) => j.failed).map((j) => `Job ${j.name}`),
    ...pods.filter((p) => p.phase === 'Failed').map((p) => `pod ${podKey(p)}`),
  ];
  if (failed.length) {
    return fail(
      NAME,
      `failed helpers from an earlier attempt in ${UPGRADE_NAMESPACE}: ${named(failed)}`,
      `read their logs if needed, then delete them (kubectl -n ${UPGRADE_NAMESPACE} delete jobs,pods --field-selector=status.phase=Failed, or delete the Jobs named), and run the check again`,
    );
  }
  const active = s.helperJobs.value.filter((j) => j.active).map((j) => j.name);
  if (active.length)
    return warn(
      NAME,
      `helper Jobs still running in ${UPGRADE_NAMESPACE}: ${named(active)}`,
      'make sure no other upgrade is at work on this cluster, or wait for these Jobs to finish',
    );
  return pass(NAME, `no failed or running helper in ${UPGRADE_NAMESPACE}`);
};
