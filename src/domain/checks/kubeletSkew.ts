import { checkKubeletSkew } from '../versions.js';
import { fail, named, pass, withRead, type CheckRule } from './result.js';

const NAME = 'kubelet-skew';

/** While the control plane is at the target and a node not yet, its kubelet must be within the target's skew policy. */
export const kubeletSkew: CheckRule = ({ targetVersion: target, snapshot: s }) =>
  withRead(NAME, 'the nodes', s.nodes, (nodes) => {
    const bad = nodes.flatMap((n) => {
      const v = checkKubeletSkew(n.kubeletVersion, target);
      return v.ok ? [] : [`${n.name}: ${v.message}`];
    });
    return bad.length
      ? fail(NAME, `kubelets outside the skew policy of ${target}: ${named(bad)}`, 'bring these kubelets within the supported skew first')
      : pass(NAME, `every kubelet is within the skew policy of ${target}`);
  });
