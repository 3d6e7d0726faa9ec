import type { ServerResponse } from 'node:http';
import { UPGRADE_NAMESPACE } from '../../src/domain/clusterMarks.js';
import { isNodeReady, nodeNameOf } from './pods.js';
import { ApiError, badRequest } from './status.js';
import type { KubeObject, ObjectStore } from './store.js';

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
}
interface ContainerState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
}
interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: ContainerState;
}

const containersOf = (pod: KubeObject) => (pod.spec as { containers?: Container[] } | undefined)?.containers ?? [];
const statusOf = (pod: KubeObject, c: string) =>
  ((pod.status as { containerStatuses?: ContainerStatus[] } | undefined)?.containerStatuses ?? []).find((s) => s.name === c);

/** What the default recipe (src/kube/recipe.ts) prints before kubeadm runs. */
function preamble(node: string, role: string, v: string): string[] {
  const minor = v.split('.').slice(0, 2).join('.');
  return [
    `kupgrade: ${node} (${role}) -> v${v}`,
    `Hit:1 https://pkgs.k8s.io/core:/stable:/v${minor}/deb  InRelease`,
    'Reading package lists...',
    `Setting up kubeadm (${v}-1.1) ...`,
  ];
}

/** kubeadm's own output: `upgrade apply` on the first master, `upgrade node` on the others, up to the first failure point. */
function kubeadm(role: string, v: string): { steps: string[]; failAt: number } {
  const fyi = "[upgrade/config] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'";
  const components = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map(
    (c) => `[upgrade/staticpods] Component "${c}" upgraded successfully!`,
  );
  if (role === 'first-master') {
    return {
      failAt: 3,
      steps: [
        '[preflight] Running pre-flight checks.',
        '[upgrade/config] Reading configuration from the cluster...',
        fyi,
        '[upgrade] Running cluster health checks',
        `[upgrade/version] You have chosen to change the cluster version to "v${v}"`,
        `[upgrade/versions] kubeadm version: v${v}`,
        '[upgrade/staticpods] Writing new Static Pod manifests to "/etc/kubernetes/tmp/kubeadm-upgraded-manifests"',
        ...components,
        `[upgrade/successful] SUCCESS! Your cluster was upgraded to "v${v}". Enjoy!`,
        "[upgrade/kubelet] Now that your control plane is upgraded, please proceed with upgrading your kubelets if you haven't already done so.",
      ],
    };
  }
  const controlPlane =
    role === 'master'
      ? [
          `[upgrade] Upgrading your Static Pod-hosted control plane instance to version "v${v}"...`,
          ...components.slice(1),
          '[upgrade] The control plane instance for this node was successfully updated!',
        ]
      : ['[preflight] Skipping prepull. Not a control plane node.', '[upgrade] Skipping phase. Not a control plane node.'];
  return {
    failAt: 3,
    steps: [
      '[upgrade] Reading configuration from the cluster...',
      fyi,
      '[preflight] Running pre-flight checks',
      ...controlPlane,
      '[upgrade] Backing up kubelet config file to /etc/kubernetes/tmp/kubeadm-kubelet-config/config.yaml',
      '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"',
      '[upgrade] The configuration for this node was successfully updated!',
      '[upgrade] Now you should go ahead and upgrade the kubelet package using your package manager.',
    ],
  };
}

/**
 * The lines an upgrade Job's container has written so far, from its state:
 * the recipe's output while it runs, then kubeadm's steps and the kubelet
 * package it installed, or, when it failed, kubeadm's error with the
 * termination message. Other containers (pause, the demo workload) print nothing.
 */
function upgradeLines(pod: KubeObject, c: Container, state: ContainerState): string[] {
  const env = (n: string) => c.env?.find((e) => e.name === n)?.value;
  const target = env('TARGET_VERSION');
  if (pod.metadata.namespace !== UPGRADE_NAMESPACE || !target) return [];
  const v = target.replace(/^v/, '');
  const node = env('NODE_NAME') ?? nodeNameOf(pod) ?? '';
  const role = env('NODE_ROLE') ?? 'worker';
  const lines = preamble(node, role, v);
  const t = state.terminated;
  if (!t) return lines;
  const { steps, failAt } = kubeadm(role, v);
  if (t.exitCode !== 0) {
    return [
      ...lines,
      ...steps.slice(0, failAt),
      `error execution phase preflight: ${t.message ?? 'failed'}`,
      'To see the stack trace of this error execute with --v=5 or higher',
    ];
  }
  return [...lines, ...steps, `Setting up kubelet (${v}-1.1) ...`, `Setting up kubectl (${v}-1.1) ...`, `kupgrade: ${node} done`];
}

export interface LogOptions {
  container?: string;
  previous: boolean;
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
  timestamps: boolean;
  follow: boolean;
}

export function logOptions(q: URLSearchParams): LogOptions {
  const num = (k: string) => (q.get(k) ? Number(q.get(k)) : undefined);
  return {
    container: q.get('container') || undefined,
    previous: q.get('previous') === 'true',
    tailLines: num('tailLines'),
    limitBytes: num('limitBytes'),
    sinceSeconds: num('sinceSeconds'),
    timestamps: q.get('timestamps') === 'true',
    follow: q.get('follow') === 'true',
  };
}

/** Which container, and refusals worded as the API server and kubelet word them. */
function pick(store: ObjectStore, pod: KubeObject, o: LogOptions): { c: Container; state: ContainerState } {
  const name = pod.metadata.name;
  const containers = containersOf(pod);
  if (!o.container && containers.length > 1) {
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`);
  }
  const c = o.container ? containers.find((x) => x.name === o.container) : containers[0];
  if (!c) throw badRequest(`container ${o.container} is not valid for pod ${name}`);
  const node = nodeNameOf(pod);
  if (!node) throw badRequest(`pod ${name} does not have a host assigned`);
  const nodeObj = store.get('nodes', undefined, node);
  if (!nodeObj || !isNodeReady(nodeObj)) {
    throw new ApiError(
      500,
      'InternalError',
      `Get "https://${node}:10250/containerLogs/${pod.metadata.namespace}/${name}/${c.name}": dial tcp ${node}:10250: connect: connection refused`,
    );
  }
  const status = statusOf(pod, c.name);
  if (o.previous) throw badRequest(`previous terminated container "${c.name}" in pod "${name}" not found`);
  if (!status?.state || status.state.waiting) {
    throw badRequest(`container "${c.name}" in pod "${name}" is waiting to start: ${status?.state?.waiting?.reason ?? 'ContainerCreating'}`);
  }
  return { c, state: status.state };
}

/** Lines with their times: spread over the container's run, so timestamps and sinceSeconds read sensibly. */
function timed(lines: string[], state: ContainerState): { at: number; text: string }[] {
  const start = Date.parse(state.running?.startedAt ?? state.terminated?.startedAt ?? '') || Date.now();
  const end = Date.parse(state.terminated?.finishedAt ?? '') || Date.now();
  const step = lines.length > 1 ? Math.max(0, end - start) / (lines.length - 1) : 0;
  return lines.map((text, i) => ({ at: Math.round(start + i * step), text }));
}

function render(lines: { at: number; text: string }[], o: LogOptions): string {
  let out = lines;
  if (o.sinceSeconds !== undefined) out = out.filter((l) => l.at >= Date.now() - o.sinceSeconds! * 1000);
  if (o.tailLines !== undefined) out = o.tailLines <= 0 ? [] : out.slice(-o.tailLines);
  const text = out.map((l) => `${o.timestamps ? `${new Date(l.at).toISOString().replace('Z', '000000Z')} ` : ''}${l.text}\n`).join('');
  return o.limitBytes !== undefined ? Buffer.from(text).subarray(0, o.limitBytes).toString('utf8') : text;
}

/**
 * GET pods/{name}/log as the kubelet answers it through the API server:
 * text/plain, `follow` held open until the container terminates.
 */
export function serveLog(store: ObjectStore, res: ServerResponse, namespace: string, name: string, o: LogOptions): void {
  const pod = store.mustGet('pods', namespace, name);
  const { c, state } = pick(store, pod, o);
  const lines = timed(upgradeLines(pod, c, state), state);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.write(render(lines, o));
  if (!o.follow || state.terminated) {
    res.end();
    return;
  }
  const written = lines.length;
  const stop = store.onChange((e) => {
    if (e.resource !== 'pods' || e.object.metadata.uid !== pod.metadata.uid) return;
    const s = e.type === 'DELETED' ? undefined : statusOf(e.object, c.name)?.state;
    if (s?.terminated) res.write(render(timed(upgradeLines(e.object, c, s), s).slice(written), { ...o, tailLines: undefined, sinceSeconds: undefined }));
    if (!s || s.terminated) {
      stop();
      res.end();
    }
  });
  res.on('close', () => stop());
}
