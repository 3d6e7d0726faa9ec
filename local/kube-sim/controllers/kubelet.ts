import { ANNOTATION_SIM_FAIL_UPGRADE, ANNOTATION_SIM_HOLD_UPGRADE } from '../annotations.js';
import { UPGRADE_NAMESPACE } from '../../../src/domain/clusterMarks.js';
import { controllerOf, nodeNameOf, now, phaseOf } from '../pods.js';
import type { SimRuntime } from '../runtime.js';
import type { KubeObject } from '../store.js';

interface Container {
  name: string;
  image?: string;
  env?: { name: string; value?: string }[];
}

const containersOf = (pod: KubeObject): Container[] => (pod.spec as { containers?: Container[] } | undefined)?.containers ?? [];

function envOf(pod: KubeObject, name: string): string | undefined {
  for (const c of containersOf(pod)) {
    const v = c.env?.find((e) => e.name === name)?.value;
    if (v !== undefined) return v;
  }
  return undefined;
}

function hostIp(rt: SimRuntime, nodeName: string): string {
  const node = rt.store.get('nodes', undefined, nodeName);
  const addr = (node?.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses?.find((a) => a.type === 'InternalIP');
  return addr?.address ?? '10.0.0.1';
}

/** Pods get addresses from their node's podCIDR (host-network pods share the node's), so `kubectl get pods -o wide` looks real. */
const nextHost = new WeakMap<SimRuntime, Map<string, number>>();
function podIp(rt: SimRuntime, pod: KubeObject, nodeName: string, hostAddress: string): string {
  if ((pod.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork) return hostAddress;
  const cidr = (rt.store.get('nodes', undefined, nodeName)?.spec as { podCIDR?: string } | undefined)?.podCIDR;
  const base = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(cidr ?? '')?.[1];
  if (!base) return `10.244.${hostAddress.split('.').slice(2).join('.')}`;
  const counters = nextHost.get(rt) ?? new Map<string, number>();
  nextHost.set(rt, counters);
  const n = counters.get(nodeName) ?? 0;
  counters.set(nodeName, (n + 1) % 253);
  return `${base}.${n + 2}`;
}

function runningStatus(rt: SimRuntime, pod: KubeObject, nodeName: string): Record<string, unknown> {
  const t = now();
  const ip = hostIp(rt, nodeName);
  return {
    phase: 'Running',
    hostIP: ip,
    podIP: podIp(rt, pod, nodeName, ip),
    startTime: t,
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
      type,
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: t,
    })),
    containerStatuses: containersOf(pod).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: t } },
    })),
  };
}

function terminatedStatus(pod: KubeObject, ok: boolean, message: string): Record<string, unknown> {
  const t = now();
  const cur = (pod.status ?? {}) as Record<string, unknown>;
  return {
    ...cur,
    phase: ok ? 'Succeeded' : 'Failed',
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
      type,
      status: type === 'Ready' || type === 'ContainersReady' ? 'False' : 'True',
      reason: type === 'Ready' || type === 'ContainersReady' ? 'PodCompleted' : undefined,
      lastProbeTime: null,
      lastTransitionTime: t,
    })),
    containerStatuses: containersOf(pod).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: false,
      started: false,
      restartCount: 0,
      state: { terminated: { exitCode: ok ? 0 : 1, reason: ok ? 'Completed' : 'Error', message, startedAt: cur.startTime, finishedAt: t } },
    })),
  };
}

/**
 * The simulated kubelets: a pod bound to a node starts (Running, Ready) after
 * `rescheduleMs`; a Job's pod then runs for `upgradeMs` and ends. An upgrade
 * Job's pod in kube-upgrade performs the upgrade: it sets the node's kubelet
 * version to TARGET_VERSION (and the server's version for the first master),
 * unless the node carries kupgrade.io/sim-fail-upgrade: "true"; while it
 * carries kupgrade.io/sim-hold-upgrade: "true" the pod keeps running.
 */
export function startKubelet(rt: SimRuntime): void {
  const { store } = rt;
  const starting = new Set<string>();

  const finishJobPod = (pod: KubeObject) => {
    const cur = store.get('pods', pod.metadata.namespace, pod.metadata.name);
    // a pod being deleted was stopped before it could finish
    if (!cur || cur.metadata.uid !== pod.metadata.uid || phaseOf(cur) !== 'Running' || cur.metadata.deletionTimestamp) return;
    const nodeName = nodeNameOf(cur)!;
    const target = envOf(cur, 'TARGET_VERSION');
    // a held upgrade goes on running; it is looked at again after another upgradeMs
    if (
      cur.metadata.namespace === UPGRADE_NAMESPACE &&
      store.get('nodes', undefined, nodeName)?.metadata.annotations?.[ANNOTATION_SIM_HOLD_UPGRADE] === 'true'
    ) {
      rt.later(rt.timings.upgradeMs, () => finishJobPod(cur));
      return;
    }
    let ok = true;
    let message = 'completed';
    if (cur.metadata.namespace === UPGRADE_NAMESPACE && target) {
      const node = store.get('nodes', undefined, nodeName);
      const role = envOf(cur, 'NODE_ROLE') ?? 'worker';
      if (!node) {
        ok = false;
        message = `node ${nodeName} not found`;
      } else if (node.metadata.annotations?.[ANNOTATION_SIM_FAIL_UPGRADE] === 'true') {
        ok = false;
        message = `simulated upgrade failure on node ${nodeName} (annotation ${ANNOTATION_SIM_FAIL_UPGRADE})`;
      } else {
        const version = `v${target.replace(/^v/, '')}`;
        store.mutate('nodes', undefined, nodeName, (n) => {
          const info = ((n.status as { nodeInfo?: Record<string, string> }).nodeInfo ??= {});
          info.kubeletVersion = version;
          info.kubeProxyVersion = version;
        });
        if (role === 'first-master') rt.gitVersion = version;
        rt.upgradesByNode.set(nodeName, (rt.upgradesByNode.get(nodeName) ?? 0) + 1);
        message = `node ${nodeName} upgraded to ${version} (${role})`;
      }
    }
    store.mutate('pods', cur.metadata.namespace, cur.metadata.name, (p) => {
      p.status = terminatedStatus(p, ok, message);
    });
  };

  const start = (pod: KubeObject) => {
    const uid = pod.metadata.uid!;
    if (starting.has(uid)) return;
    starting.add(uid);
    const isJobPod = controllerOf(pod)?.kind === 'Job';
    const delay = rt.booting ? 0 : isJobPod ? Math.min(10, rt.timings.rescheduleMs) : rt.timings.rescheduleMs;
    rt.later(delay, () => {
      starting.delete(uid);
      const cur = store.get('pods', pod.metadata.namespace, pod.metadata.name);
      const nodeName = cur && nodeNameOf(cur);
      if (!cur || cur.metadata.uid !== uid || !nodeName || phaseOf(cur) !== 'Pending' || cur.metadata.deletionTimestamp) return;
      if (!store.get('nodes', undefined, nodeName)) return; // no kubelet there: stays Pending
      const running = store.mutate('pods', cur.metadata.namespace, cur.metadata.name, (p) => {
        p.status = runningStatus(rt, p, nodeName);
      });
      if (running && isJobPod) rt.later(rt.timings.upgradeMs, () => finishJobPod(running));
    });
  };

  store.onChange((e) => {
    if (e.resource !== 'pods' || e.type === 'DELETED') return;
    if (nodeNameOf(e.object) && phaseOf(e.object) === 'Pending' && !e.object.metadata.deletionTimestamp) start(e.object);
  });
}
