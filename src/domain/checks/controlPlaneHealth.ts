import type { SnapshotNode, SnapshotPod } from '../clusterSnapshot.js';
import { parseVersion } from '../versions.js';
import { fail, named, pass, warn, type CheckRule } from './result.js';

const NAME = 'control-plane-health';
const CONTROL_PLANE_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'] as const;

const componentOf = (p: SnapshotPod): string | undefined => {
  const c = p.labels.component;
  return p.namespace === 'kube-system' && CONTROL_PLANE_COMPONENTS.includes(c as never) ? c : undefined;
};

/** The version in an image tag such as registry.k8s.io/kube-apiserver:v1.30.4. */
function imageVersion(image: string): string | undefined {
  const tag = /:(v?\d+\.\d+\.\d+)(?:[-@].*)?$/.exec(image)?.[1];
  return tag && parseVersion(tag) ? tag.replace(/^v/, '') : undefined;
}

function problems(masters: SnapshotNode[], pods: SnapshotPod[]): { unhealthy: string[]; components: string[] } {
  const unhealthy: string[] = [];
  // a component with no pod on any master runs elsewhere (external etcd, a managed control plane): not ours to judge
  const components = CONTROL_PLANE_COMPONENTS.filter((c) => pods.some((p) => componentOf(p) === c));
  for (const m of masters) {
    for (const c of components) {
      const pod = pods.find((p) => componentOf(p) === c && p.node === m.name);
      if (!pod) unhealthy.push(`${c} on ${m.name}: no pod`);
      else if (pod.phase !== 'Running' || !pod.ready) unhealthy.push(`${c} on ${m.name}: ${pod.phase}${pod.phase === 'Running' ? ', not Ready' : ''}`);
    }
  }
  return { unhealthy, components };
}

/**
 * The control plane is healthy before kupgrade takes a master out: each
 * apiserver, controller-manager, scheduler and etcd pod on a master is
 * Running and Ready, and HA apiservers are at most one minor apart.
 */
export const controlPlaneHealth: CheckRule = ({ snapshot: s }) => {
  if (!s.nodes.ok) return warn(NAME, `not checked: the nodes could not be read (${s.nodes.reason})`, 'check the control plane by hand before upgrading');
  if (!s.pods.ok)
    return warn(
      NAME,
      `not checked: the pods could not be read (${s.pods.reason})`,
      "give kupgrade's credentials read access to pods, or check the control plane by hand",
    );
  const masters = s.nodes.value.filter((n) => n.role === 'master');
  if (masters.length === 0)
    return warn(
      NAME,
      'no control-plane nodes are visible; the control plane was not checked',
      "check the control plane's health with its provider before upgrading",
    );
  const pods = s.pods.value.filter((p) => componentOf(p) && masters.some((m) => m.name === p.node));
  const { unhealthy, components } = problems(masters, pods);
  if (components.length === 0) {
    return warn(
      NAME,
      'no control-plane pods were found in kube-system on the masters; their health was not checked',
      'check the control plane by hand before upgrading',
    );
  }
  if (unhealthy.length)
    return fail(NAME, `control-plane pods not Running and Ready: ${named(unhealthy)}`, 'repair these control-plane components, then run the check again');
  const apiservers = pods
    .filter((p) => componentOf(p) === 'kube-apiserver')
    .flatMap((p) =>
      p.images
        .map(imageVersion)
        .filter((v): v is string => !!v)
        .map((v) => ({ node: p.node!, v })),
    );
  const minors = apiservers.map((a) => parseVersion(a.v)!.minor);
  if (minors.length && Math.max(...minors) - Math.min(...minors) > 1) {
    return fail(
      NAME,
      `the apiservers are more than one minor apart: ${apiservers.map((a) => `${a.node} ${a.v}`).join(', ')}`,
      'finish the earlier control-plane upgrade so every apiserver is within one minor, then run the check again',
    );
  }
  return pass(NAME, `${components.join(', ')} are Running and Ready on all ${masters.length} master(s)`);
};
