/** A pod pinned to `node` and a budget that never lets it go (pod default/pinned, budget pinned-never), as a user would apply them with kubectl. */
export const zeroBudgetManifest = (node: string): string => `apiVersion: v1
kind: Pod
metadata: { name: pinned, namespace: default, labels: { app: pinned } }
spec:
  nodeName: ${node}
  containers: [{ name: app, image: registry.k8s.io/pause:3.10 }]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: pinned-never, namespace: default }
spec: { maxUnavailable: 0, selector: { matchLabels: { app: pinned } } }
`;
