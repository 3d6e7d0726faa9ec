import { ANNOTATION_CORDONED_BY } from '../clusterMarks.js';
import { fail, named, pass, warn, withRead, type CheckRule } from './result.js';

const NAME = 'nodes-ready';

/**
 * Every node Ready. Cordoned nodes are named: an operator's cordon (no
 * annotation) is kept after the upgrade; a cordon an earlier kupgrade upgrade
 * left (its annotation names that upgrade) is taken over and undone once the
 * node is upgraded and Ready.
 */
export const nodesReady: CheckRule = ({ snapshot: s }) =>
  withRead(NAME, 'the nodes', s.nodes, (nodes) => {
    if (nodes.length === 0) return fail(NAME, 'the cluster has no nodes', 'check that the credentials may list nodes');
    const notReady = nodes.filter((n) => !n.ready).map((n) => n.name);
    if (notReady.length) return fail(NAME, `nodes not Ready: ${named(notReady)}`, 'repair or remove these nodes, then run the check again');
    const cordoned = nodes.filter((n) => n.unschedulable);
    const byOperator = cordoned.filter((n) => !n.annotations[ANNOTATION_CORDONED_BY]).map((n) => n.name);
    const byKupgrade = cordoned.filter((n) => n.annotations[ANNOTATION_CORDONED_BY]).map((n) => `${n.name} (upgrade ${n.annotations[ANNOTATION_CORDONED_BY]})`);
    if (!byOperator.length && !byKupgrade.length) return pass(NAME, `all ${nodes.length} nodes are Ready`);
    const message = [
      byOperator.length ? `nodes cordoned by an operator: ${named(byOperator)}; they are upgraded and left cordoned` : '',
      byKupgrade.length
        ? `nodes left cordoned by an earlier kupgrade upgrade: ${named(byKupgrade)}; the upgrade takes these cordons over and uncordons the nodes once they are upgraded and Ready`
        : '',
    ]
      .filter(Boolean)
      .join('; ');
    const remedy = [
      byOperator.length ? 'uncordon the operator-cordoned nodes first if they should take work after the upgrade' : '',
      byKupgrade.length
        ? `check that the nodes an earlier upgrade left cordoned are healthy (their upgrade may have failed); to keep one cordoned after the upgrade, make it an operator's cordon: kubectl annotate node <name> ${ANNOTATION_CORDONED_BY}-`
        : '',
    ]
      .filter(Boolean)
      .join('; ');
    return warn(NAME, message, remedy);
  });
