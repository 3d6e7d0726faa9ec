import { decideLease, describeHolder, lapsesAt } from '../clusterLease.js';
import { fail, pass, warn, withRead, type CheckRule } from './result.js';

const NAME = 'upgrade-lease';

/**
 * Nothing else is upgrading the cluster: the Lease kupgrade holds a cluster
 * with is free, this upgrade's own, or lapsed (its holder stopped renewing it:
 * the upgrade takes it over). A live holder is another registration, stage
 * or installation of kupgrade at work on the same cluster.
 */
export const upgradeLease: CheckRule = ({ snapshot: s, self, now }) =>
  withRead(NAME, 'the Lease kube-upgrade/kupgrade', s.lease, (lease) => {
    if (!lease) return pass(NAME, 'no upgrade holds the cluster');
    const decision = decideLease(lease, self ?? { installation: '', upgradeId: '', clusterId: '' }, now ?? new Date().toISOString());
    if (decision.kind === 'renew' || decision.kind === 'keep') return pass(NAME, 'this upgrade holds the cluster');
    if (decision.kind === 'takeOver') {
      return warn(
        NAME,
        `the cluster was held by ${describeHolder(lease)}, whose Lease lapsed at ${lapsesAt(lease)}: the upgrade takes it over`,
        'make sure that upgrade is not running any more (its kupgrade may be down); its cordons are taken over',
      );
    }
    if (decision.kind === 'take') return pass(NAME, 'no upgrade holds the cluster');
    return fail(
      NAME,
      `the cluster is being upgraded by ${describeHolder(lease)}${decision.liveUntil ? ` (its Lease runs until ${decision.liveUntil} unless renewed)` : ''}`,
      'let that upgrade finish, or pause and cancel it where it runs, then run the check again',
    );
  });
