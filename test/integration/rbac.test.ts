// manifests/rbac.yaml grants the kupgrade ServiceAccount exactly what the
// Kubernetes driver uses. Sufficient: the real driver runs a whole cycle
// against the simulated cluster and every request it sends is authorized by
// the manifest (RBAC matching modelled in test/helpers/rbac.ts). Necessary:
// every grant is used by a driver call of the table below, and the table
// itself is held to the recorded requests.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { startKubeSim, type KubeSim } from '../../local/kube-sim/index.js';
import type { ClusterDriver } from '../../src/kube/clusterDriver.js';
import { createKubernetesDriver, UPGRADE_NAMESPACE_LABELS } from '../../src/kube/k8sDriver.js';
import { LABEL_MANAGED_BY, LABEL_UPGRADE_ID, MANAGED_BY_VALUE } from '../../src/kube/labels.js';
import { ANNOTATION_SIM_FAIL_UPGRADE } from '../../local/kube-sim/annotations.js';
import { UPGRADE_NAMESPACE } from '../../src/domain/clusterMarks.js';
import { resourcesToScan } from '../../src/domain/removedApis.js';
import {
  allowed,
  describeAttributes,
  grantAllows,
  grantsFor,
  loadManifest,
  requestAttributes,
  type Attributes,
  type Grant,
  type RbacObject,
} from '../helpers/rbac.js';

const MANIFEST = fileURLToPath(new URL('../../manifests/rbac.yaml', import.meta.url));
const SA = { name: 'kupgrade', namespace: UPGRADE_NAMESPACE };

/** Any namespace of the cluster (a drain moves pods wherever they live). */
const ANY = '<any namespace>';
interface Need {
  calls: string;
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  /** undefined: cluster-scoped (a cluster-scoped object, or a list across all namespaces) */
  namespace?: string;
  name?: string;
  path?: string;
}
const core = (calls: string, verb: string, resource: string, more: Partial<Need> = {}): Need => ({ calls, verb, group: '', resource, ...more });

/** Every request the driver can send (src/kube/k8sDriver.ts, readSnapshot.ts, rawGet.ts). */
const DRIVER_NEEDS: Need[] = [
  { calls: 'serverVersion, readClusterState', verb: 'get', path: '/version' },
  { calls: 'readClusterState (/readyz?verbose)', verb: 'get', path: '/readyz' },
  { calls: 'readClusterState (servers without /readyz)', verb: 'get', path: '/healthz' },
  core('listNodes, readClusterState', 'list', 'nodes'),
  core('getNode, cordon, uncordon', 'get', 'nodes', { name: 'worker-1' }),
  core('cordon, uncordon', 'patch', 'nodes', { name: 'worker-1' }),
  core('readClusterState (kubelet configz)', 'get', 'nodes', { subresource: 'proxy', name: 'worker-1' }),
  core('drain (pods on the node), readClusterState', 'list', 'pods'),
  core('drain (finished pods)', 'delete', 'pods', { namespace: ANY, name: 'p' }),
  core('drain', 'create', 'pods', { subresource: 'eviction', namespace: ANY, name: 'p' }),
  { calls: 'drain (the budgets of a blocked pod)', verb: 'list', group: 'policy', resource: 'poddisruptionbudgets', namespace: ANY },
  { calls: 'readClusterState', verb: 'list', group: 'policy', resource: 'poddisruptionbudgets' },
  core('ensureUpgradeJob', 'get', 'namespaces', { namespace: UPGRADE_NAMESPACE, name: UPGRADE_NAMESPACE }),
  core('clusterIdentity', 'get', 'namespaces', { namespace: 'kube-system', name: 'kube-system' }),
  core('ensureUpgradeJob', 'create', 'namespaces'),
  { calls: 'ensureUpgradeJob', verb: 'create', group: 'batch', resource: 'jobs', namespace: UPGRADE_NAMESPACE },
  { calls: 'upgradeJobStatus', verb: 'get', group: 'batch', resource: 'jobs', namespace: UPGRADE_NAMESPACE, name: 'j' },
  { calls: 'readClusterState (helper leftovers), deleteUpgradeJobs', verb: 'list', group: 'batch', resource: 'jobs', namespace: UPGRADE_NAMESPACE },
  { calls: 'deleteUpgradeJobs', verb: 'delete', group: 'batch', resource: 'jobs', namespace: UPGRADE_NAMESPACE, name: 'j' },
  core('upgradeJobStatus (a failed pod), deleteUpgradeJobs', 'list', 'pods', { namespace: UPGRADE_NAMESPACE }),
  core('deleteUpgradeJobs (pods left behind)', 'delete', 'pods', { namespace: UPGRADE_NAMESPACE, name: 'p' }),
  { calls: 'unavailableWorkloads', verb: 'list', group: 'apps', resource: 'replicasets' },
  {
    calls: 'readLease, releaseLease, readClusterState (upgrade-lease)',
    verb: 'get',
    group: 'coordination.k8s.io',
    resource: 'leases',
    namespace: UPGRADE_NAMESPACE,
    name: 'kupgrade',
  },
  { calls: 'writeLease (taking it)', verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: UPGRADE_NAMESPACE },
  { calls: 'writeLease (renewing it)', verb: 'patch', group: 'coordination.k8s.io', resource: 'leases', namespace: UPGRADE_NAMESPACE, name: 'kupgrade' },
  { calls: 'releaseLease', verb: 'delete', group: 'coordination.k8s.io', resource: 'leases', namespace: UPGRADE_NAMESPACE, name: 'kupgrade' },
  { calls: 'recordNodeEvent', verb: 'create', group: 'events.k8s.io', resource: 'events', namespace: 'default' },
  // the removed-APIs check lists each resource that replaced a removed API version, across all namespaces
  ...resourcesToScan().map((r): Need => ({
    calls: 'readClusterState (removed APIs)',
    verb: 'list',
    group: r.apiVersion.includes('/') ? r.apiVersion.split('/')[0] : '',
    resource: r.resource,
  })),
];
/** Needs the simulated cycle does not reach: a server without /readyz. */
// (a blocked drain now always reads its pod's budgets, for the disruptions they allow: that row is reached)
const NOT_EXERCISED = ['get /healthz'];

const needKey = (n: Need) =>
  n.path
    ? `${n.verb} ${n.path}`
    : `${n.verb} ${n.group || 'core'}/${n.resource}${n.subresource ? `/${n.subresource}` : ''}${n.namespace ? ` in ${n.namespace}` : ''}`;

/** The need as a concrete request: ANY becomes a namespace kupgrade knows nothing about. */
function asAttributes(n: Need): Attributes {
  if (n.path) return { kind: 'nonResource', verb: n.verb, path: n.path };
  return {
    kind: 'resource',
    verb: n.verb,
    group: n.group!,
    resource: n.resource!,
    subresource: n.subresource,
    namespace: n.namespace === ANY ? 'team-a' : n.namespace,
    name: n.name,
  };
}

function covers(n: Need, a: Attributes): boolean {
  if (a.kind === 'nonResource') return n.path === a.path && n.verb === a.verb;
  if (n.path || n.verb !== a.verb || n.group !== a.group || n.resource !== a.resource || n.subresource !== a.subresource) return false;
  return n.namespace === ANY ? a.namespace !== undefined : n.namespace === a.namespace;
}

/** Cluster-wide writes the manifest may grant, each for a reason (README, "Registering a real cluster"). */
const CLUSTER_WRITES = ['patch core/nodes', 'create core/namespaces', 'delete core/pods', 'create core/pods/eviction'];
const READ_VERBS = new Set(['get', 'list', 'watch']);
const NEVER_RESOURCES = new Set([
  'secrets',
  'configmaps',
  'serviceaccounts',
  'serviceaccounts/token',
  'tokenreviews',
  'subjectaccessreviews',
  'certificatesigningrequests/approval',
]);
/** What kupgrade writes in its own namespace: the upgrade Jobs, the Lease it holds the cluster with (issue 16), Events on nodes (issue 17). */
const NAMESPACE_WRITES = ['batch/jobs', 'coordination.k8s.io/leases', 'events.k8s.io/events'];
const NEVER_VERBS = new Set(['*', 'escalate', 'bind', 'impersonate', 'approve', 'sign', 'deletecollection', 'update']);

/** Policy the manifest must keep whatever the driver needs: no wildcard, no secrets, writes only where listed. */
function rbacPolicyProblems(objects: RbacObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')) {
    const where = `${o.kind}/${o.metadata.name}`;
    for (const r of o.rules ?? []) {
      for (const field of ['apiGroups', 'resources', 'verbs', 'nonResourceURLs', 'resourceNames'] as const) {
        if ((r[field] ?? []).some((v) => v.includes('*'))) problems.push(`${where}: a wildcard in ${field}: ${JSON.stringify(r)}`);
      }
      for (const v of r.verbs) if (NEVER_VERBS.has(v)) problems.push(`${where}: verb ${v} is never needed`);
      for (const res of r.resources ?? []) {
        if (NEVER_RESOURCES.has(res)) problems.push(`${where}: ${res} must not be granted`);
        for (const group of r.apiGroups ?? []) {
          for (const v of r.verbs.filter((v) => !READ_VERBS.has(v))) {
            const key = `${v} ${group || 'core'}/${res}`;
            if (o.kind === 'ClusterRole' && !CLUSTER_WRITES.includes(key)) problems.push(`${where}: cluster-wide ${key} is not an allowed write`);
            if (o.kind === 'Role' && !NAMESPACE_WRITES.includes(`${group || 'core'}/${res}`))
              problems.push(`${where}: ${key} in ${o.metadata.namespace}: only the upgrade Jobs and kupgrade's Lease are written there`);
          }
        }
      }
    }
  }
  for (const b of objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding')) {
    for (const s of b.subjects ?? []) {
      if (!(s.kind === 'ServiceAccount' && s.name === SA.name && s.namespace === SA.namespace))
        problems.push(`${b.kind}/${b.metadata.name}: binds ${s.kind} ${s.name}, not the kupgrade ServiceAccount`);
    }
    if (b.roleRef?.name && b.roleRef.name !== 'kupgrade') problems.push(`${b.kind}/${b.metadata.name}: binds ${b.roleRef.kind} ${b.roleRef.name}`);
  }
  return problems;
}

/** Requests the grants refuse, described. */
const refused = (grants: Grant[], requests: Attributes[]) => requests.filter((a) => !allowed(grants, a)).map(describeAttributes);

const objects = loadManifest(MANIFEST);
const grants = grantsFor(objects, SA);

describe('manifests/rbac.yaml', () => {
  it('holds the kube-upgrade namespace (privileged pods allowed), the kupgrade ServiceAccount and its bindings', () => {
    const ns = objects.find((o) => o.kind === 'Namespace');
    expect(ns?.metadata).toMatchObject({ name: UPGRADE_NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } });
    expect(objects.find((o) => o.kind === 'ServiceAccount')?.metadata).toMatchObject(SA);
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual(
      [
        'ClusterRole//kupgrade',
        'ClusterRoleBinding//kupgrade',
        'Namespace//kube-upgrade',
        'Role/kube-upgrade/kupgrade',
        'RoleBinding/kube-upgrade/kupgrade',
        // Events on nodes must live in default (issue 17)
        'Role/default/kupgrade',
        'RoleBinding/default/kupgrade',
        'ServiceAccount/kube-upgrade/kupgrade',
      ].sort(),
    );
  });

  it('keeps the policy: no wildcard, no secrets, cluster-wide writes only node patch, namespace create and the drain', () => {
    expect(rbacPolicyProblems(objects)).toEqual([]);
  });

  it('grants every request of the driver-call table', () => {
    expect(DRIVER_NEEDS.filter((n) => !allowed(grants, asAttributes(n))).map(needKey)).toEqual([]);
  });

  it('grants nothing the driver-call table does not need (each verb of each rule is used)', () => {
    const unused: string[] = [];
    for (const g of grants) {
      const r = g.rule;
      const singles = r.nonResourceURLs?.length
        ? r.nonResourceURLs.flatMap((u) => r.verbs.map((v) => ({ ...r, nonResourceURLs: [u], verbs: [v] })))
        : (r.apiGroups ?? []).flatMap((grp) =>
            (r.resources ?? []).flatMap((res) => r.verbs.map((v) => ({ ...r, apiGroups: [grp], resources: [res], verbs: [v] }))),
          );
      for (const single of singles) {
        const narrowed: Grant = { ...g, rule: single };
        if (!DRIVER_NEEDS.some((n) => grantAllows(narrowed, asAttributes(n)))) unused.push(`${g.role} in ${g.scope}: ${JSON.stringify(single)}`);
      }
    }
    expect(unused).toEqual([]);
  });

  it('is reported by the policy check when a wildcard, a secret read or a cluster-wide write is added', () => {
    const withRule = (rule: object) => objects.map((o) => (o.kind === 'ClusterRole' ? { ...o, rules: [...(o.rules ?? []), rule] } : o)) as RbacObject[];
    expect(rbacPolicyProblems(withRule({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] })).join('\n')).toMatch(
      /a wildcard in apiGroups[\s\S]*a wildcard in resources[\s\S]*verb \* is never needed/,
    );
    expect(rbacPolicyProblems(withRule({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] })).join('\n')).toMatch(/secrets must not be granted/);
    expect(rbacPolicyProblems(withRule({ apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] })).join('\n')).toMatch(
      /cluster-wide patch apps\/deployments is not an allowed write/,
    );
    expect(rbacPolicyProblems(withRule({ nonResourceURLs: ['/metrics*'], verbs: ['get'] })).join('\n')).toMatch(/a wildcard in nonResourceURLs/);
  });
});

describe('the real driver through a whole cycle against the simulated cluster', () => {
  let sim: KubeSim;
  let driver: ClusterDriver;
  /** Only the driver's own requests: the test's set-up writes through sim.request are left out. */
  const sent: Attributes[] = [];
  const track = async <T>(fn: () => Promise<T>): Promise<T> => {
    const from = sim.requests.length;
    try {
      return await fn();
    } finally {
      for (const r of sim.requests.slice(from)) sent.push(requestAttributes(r.method, r.path, r.query));
    }
  };
  const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 400; i++) {
      const v = await probe();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 2, version: '1.30.4', upgradeMs: 30, rescheduleMs: 20 });
    driver = createKubernetesDriver(sim.kubeconfig);
    const UPG = 'upg-rbac';
    const MERGE = { contentType: 'application/merge-patch+json' };

    // A finished pod on the node: the drain deletes it rather than evicting it.
    await sim.request('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'batch-done' },
      spec: { nodeName: 'worker-1', containers: [{ name: 'c', image: 'busybox' }] },
    });
    await until('the pod to run', async () =>
      (sim.object('pods', 'default', 'batch-done')?.status as { phase?: string })?.phase === 'Running' ? true : undefined,
    );
    await sim.request('PATCH', '/api/v1/namespaces/default/pods/batch-done/status', { status: { phase: 'Succeeded' } }, MERGE);

    await track(() => driver.readClusterState());
    await track(() => driver.serverVersion());
    await track(() => driver.clusterIdentity());
    await track(() => driver.listNodes());
    await track(() => driver.cordon('worker-1', UPG));
    await until('the drain', () => track(async () => ((await driver.drain('worker-1')).done ? true : undefined)));
    await track(() => driver.ensureUpgradeJob({ upgradeId: UPG, node: 'worker-1', role: 'worker', targetVersion: '1.31.10' }));
    await until('the Job', () => track(async () => ((await driver.upgradeJobStatus(UPG, 'worker-1')).phase === 'succeeded' ? true : undefined)));
    await track(() => driver.getNode('worker-1'));
    await track(() => driver.uncordon('worker-1', UPG));
    await track(() => driver.unavailableWorkloads());

    // A failing Job (its pod's message is read) and a pod a Job left behind (cleanup deletes it).
    await sim.request('PATCH', '/api/v1/nodes/worker-2', { metadata: { annotations: { [ANNOTATION_SIM_FAIL_UPGRADE]: 'true' } } }, MERGE);
    await track(() => driver.ensureUpgradeJob({ upgradeId: UPG, node: 'worker-2', role: 'worker', targetVersion: '1.31.10' }));
    await until('the failed Job', () => track(async () => ((await driver.upgradeJobStatus(UPG, 'worker-2')).phase === 'failed' ? true : undefined)));
    await sim.request('POST', `/api/v1/namespaces/${UPGRADE_NAMESPACE}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'left-behind', labels: { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE, [LABEL_UPGRADE_ID]: UPG } },
      spec: { nodeName: 'worker-2', containers: [{ name: 'c', image: 'busybox' }] },
    });
    await track(() => driver.readClusterState());
    await track(() => driver.deleteUpgradeJobs(UPG));
    await track(() => driver.deleteUpgradeJobs());
    // the Lease: taken, renewed, released
    const self = { installation: 'rbac-test', upgradeId: UPG, clusterId: 'c1' };
    await track(() => driver.writeLease({ self, durationSeconds: 60, now: new Date().toISOString() }));
    const lease = await track(() => driver.readLease());
    await track(() => driver.writeLease({ self, durationSeconds: 60, now: new Date().toISOString(), previous: lease }));
    await track(() => driver.releaseLease(self));
    await track(() => driver.recordNodeEvent({ node: 'worker-1', reason: 'NodeCordoned', type: 'Normal', action: 'Cordon', note: 'cordoned' }));
  });
  afterAll(() => sim?.close());

  it('went through every step (the cycle is not vacuous)', () => {
    const seen = new Set(sent.map(describeAttributes).map((d) => d.replace(/ name=.*$/, '')));
    for (const step of [
      'patch core/nodes (cluster-wide)',
      'create core/pods/eviction in default',
      'delete core/pods in default',
      'create core/namespaces (cluster-wide)',
      'create batch/jobs in kube-upgrade',
      'delete batch/jobs in kube-upgrade',
      'delete core/pods in kube-upgrade',
      'get core/nodes/proxy (cluster-wide)',
    ]) {
      expect([step, seen.has(step)]).toEqual([step, true]);
    }
  });

  it('creates kube-upgrade, when it is missing, labelled as the manifest labels it', () => {
    const manifestNs = objects.find((o) => o.kind === 'Namespace')!;
    expect(UPGRADE_NAMESPACE_LABELS).toEqual(manifestNs.metadata.labels);
    expect(sim.object('namespaces', undefined, UPGRADE_NAMESPACE)?.metadata.labels).toMatchObject(manifestNs.metadata.labels!);
  });

  it('sends only requests the manifest grants', () => {
    expect(sent.length).toBeGreaterThan(50);
    expect([...new Set(refused(grants, sent))]).toEqual([]);
  });

  it('sends only requests the driver-call table lists, and reaches every row but the ones named', () => {
    const unlisted = sent.filter((a) => !DRIVER_NEEDS.some((n) => covers(n, a))).map(describeAttributes);
    expect([...new Set(unlisted)]).toEqual([]);
    const reached = DRIVER_NEEDS.filter((n) =>
      n.namespace === ANY ? sent.some((a) => covers(n, a) && a.kind === 'resource' && a.namespace !== UPGRADE_NAMESPACE) : sent.some((a) => covers(n, a)),
    );
    expect(
      DRIVER_NEEDS.filter((n) => !reached.includes(n))
        .map(needKey)
        .sort(),
    ).toEqual([...NOT_EXERCISED].sort());
  });

  it('would be refused without the eviction rule (the check can fail)', () => {
    const without = grants.filter((g) => !(g.rule.resources ?? []).includes('pods/eviction'));
    const refusals = refused(without, sent);
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((d) => d.startsWith('create core/pods/eviction in default name='))).toBe(true);
  });
});
