import type { SnapshotNode, SnapshotPod } from '../clusterSnapshot.js';
import { fail, isFinished, named, pass, warn, withRead, type CheckRule } from './result.js';

const PRESSURE = ['DiskPressure', 'MemoryPressure', 'PIDPressure'];

/** A node under pressure evicts pods on its own and cannot take the pods a drain moves to it. */
export const nodePressure: CheckRule = ({ snapshot: s }) =>
  withRead('node-pressure', 'the nodes', s.nodes, (nodes) => {
    const pressed = nodes.flatMap((n) => {
      const on = n.trueConditions.filter((c) => PRESSURE.includes(c));
      return on.length ? [`${n.name} (${on.join(', ')})`] : [];
    });
    return pressed.length
      ? fail(
          'node-pressure',
          `nodes under resource pressure: ${named(pressed)}`,
          'free disk, memory or process IDs on these nodes (or remove them), then run the check again',
        )
      : pass('node-pressure', 'no node reports disk, memory or PID pressure');
  });

/** Swap as the kubelet sees it: configured to run on a node with swap, or letting pods use it. */
const swapOn = (n: SnapshotNode) =>
  n.kubeletSwap.ok && (!n.kubeletSwap.value.failSwapOn || ['LimitedSwap', 'UnlimitedSwap'].includes(n.kubeletSwap.value.swapBehavior ?? ''));

/** Swap support changes between minors (NodeSwap; UnlimitedSwap went in 1.30): nodes with swap deserve a look first. */
export const swap: CheckRule = ({ snapshot: s }) =>
  withRead('swap', 'the nodes', s.nodes, (nodes) => {
    const on = nodes.filter(swapOn).map((n) => `${n.name} (${n.kubeletSwap.ok ? n.kubeletSwap.value.swapBehavior || 'failSwapOn: false' : ''})`);
    const unread = nodes.flatMap((n) => (n.kubeletSwap.ok ? [] : [`${n.name}: ${n.kubeletSwap.reason}`]));
    if (on.length) {
      const tail = unread.length ? `; configz unreadable on ${named(unread)}` : '';
      return warn(
        'swap',
        `nodes with swap enabled: ${named(on)}${tail}`,
        "check the target version's swap support for these nodes' kubelet configuration, or turn swap off before upgrading",
      );
    }
    if (unread.length)
      return warn(
        'swap',
        `swap not checked: the kubelet configz could not be read on ${named(unread)}`,
        'allow get on nodes/proxy, or check swap on these nodes by hand',
      );
    return pass('swap', `swap is off on all ${nodes.length} nodes`);
  });

/** Below this share of allocatable CPU or memory left, pods drained from other nodes may not fit. */
const MIN_HEADROOM = 0.2;

const pct = (x: number) => `${Math.max(0, Math.round(x * 100))}%`;

/** Nodes whose free share (allocatable minus the requests of the pods on it) is below MIN_HEADROOM for CPU or memory. */
function tightNodes(nodes: SnapshotNode[], pods: SnapshotPod[]): string[] {
  return nodes.flatMap((n) => {
    const on = pods.filter((p) => p.node === n.name && !isFinished(p));
    const free = (alloc: number, used: number) => (alloc > 0 ? 1 - used / alloc : 1);
    const cpu = free(
      n.allocatable.cpuMillis,
      on.reduce((a, p) => a + p.requests.cpuMillis, 0),
    );
    const mem = free(
      n.allocatable.memoryBytes,
      on.reduce((a, p) => a + p.requests.memoryBytes, 0),
    );
    return cpu < MIN_HEADROOM || mem < MIN_HEADROOM ? [`${n.name} (CPU ${pct(cpu)}, memory ${pct(mem)} free)`] : [];
  });
}

export const nodeHeadroom: CheckRule = ({ snapshot: s }) =>
  withRead('node-headroom', 'the nodes', s.nodes, (nodes) =>
    withRead('node-headroom', 'the pods', s.pods, (pods) => {
      const tight = tightNodes(nodes, pods);
      return tight.length
        ? warn(
            'node-headroom',
            `nodes with less than ${MIN_HEADROOM * 100}% of allocatable CPU or memory left after requests: ${named(tight)}`,
            'add capacity or lower requests so drained pods have somewhere to go',
          )
        : pass('node-headroom', `every node keeps at least ${MIN_HEADROOM * 100}% of its allocatable CPU and memory free after requests`);
    }),
  );
