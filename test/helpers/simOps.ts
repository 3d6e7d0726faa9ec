import type { KubeSim } from '../../local/kube-sim/index.js';

/** Changes to the simulated cluster made the way an operator would: through its API. */
export async function annotateNode(sim: KubeSim, node: string, annotations: Record<string, string | null>): Promise<void> {
  const res = await sim.request('PATCH', `/api/v1/nodes/${node}`, { metadata: { annotations } }, { contentType: 'application/merge-patch+json' });
  if (res.status !== 200) throw new Error(`annotate ${node}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}

export async function cordonByOperator(sim: KubeSim, node: string): Promise<void> {
  const res = await sim.request('PATCH', `/api/v1/nodes/${node}`, { spec: { unschedulable: true } }, { contentType: 'application/merge-patch+json' });
  if (res.status !== 200) throw new Error(`cordon ${node}: HTTP ${res.status}`);
}

/** A pod pinned to `node` behind a PodDisruptionBudget that never allows a disruption. */
export async function pinUnevictablePod(sim: KubeSim, node: string, name = 'pinned'): Promise<void> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9' }] },
  };
  const pdb = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: `${name}-never`, namespace: 'default' },
    spec: { maxUnavailable: 0, selector: { matchLabels: { app: name } } },
  };
  for (const [path, body] of [
    ['/api/v1/namespaces/default/pods', pod],
    ['/apis/policy/v1/namespaces/default/poddisruptionbudgets', pdb],
  ] as const) {
    const res = await sim.request('POST', path, body);
    if (res.status !== 201) throw new Error(`create ${path}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
}

export const workerNames = (n: number) => Array.from({ length: n }, (_, i) => `worker-${i + 1}`);

/** Sets a node's Ready condition through the status subresource, as a kubelet would report it. */
export async function setNodeReady(sim: KubeSim, node: string, ready: boolean): Promise<void> {
  const current = await sim.request('GET', `/api/v1/nodes/${node}`);
  const conditions = (current.body as { status: { conditions: { type: string; status: string }[] } }).status.conditions.map((c) =>
    c.type === 'Ready' ? { ...c, status: ready ? 'True' : 'False', reason: ready ? 'KubeletReady' : 'KubeletNotReady' } : c,
  );
  const res = await sim.request('PATCH', `/api/v1/nodes/${node}/status`, { status: { conditions } }, { contentType: 'application/merge-patch+json' });
  if (res.status !== 200) throw new Error(`set ${node} Ready=${ready}: HTTP ${res.status}`);
}
