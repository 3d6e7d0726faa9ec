import { fail, named, pass, warn, withRead, type Check } from './result.js';

const NAME = 'nodes-ready';

/** Every node Ready; a node an operator cordoned is upgraded and left cordoned, so it is named. */
export const nodesReady: Check = ({ snapshot: s }) =>
  withRead(NAME, 'the nodes', s.nodes, (nodes) => {
    if (nodes.length === 0) return fail(NAME, 'the cluster has no nodes', 'check that the credentials may list nodes');
    const notReady = nodes.filter((n) => !n.ready).map((n) => n.name);
    const cordoned = nodes.filter((n) => n.unschedulable).map((n) => n.name);
    if (notReady.length) return fail(NAME, `nodes not Ready: ${named(notReady)}`, 'repair or remove these nodes, then run the check again');
    if (cordoned.length) {
      return warn(NAME, `nodes already cordoned: ${named(cordoned)}; they are upgraded and left cordoned`, 'uncordon them first if they should take work after the upgrade');
    }
    return pass(NAME, `all ${nodes.length} nodes are Ready`);
  });
