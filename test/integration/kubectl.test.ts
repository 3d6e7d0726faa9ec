import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeSim, type KubeObject, type KubeSim } from '../../local/kube-sim/index.js';
import { ANNOTATION_SIM_FAIL_UPGRADE } from '../../local/kube-sim/annotations.js';
import { UPGRADE_NAMESPACE } from '../../src/domain/clusterMarks.js';
import { createKubernetesDriver } from '../../src/kube/k8sDriver.js';
import { eventually } from '../helpers/eventually.js';
import { annotateNode } from '../helpers/simOps.js';

/**
 * The simulated cluster as a real client sees it: every command runs the
 * kubectl on PATH. A missing kubectl fails the first test (it is not skipped).
 */
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let sim: KubeSim;
let dir: string;

function kubectl(args: string[], timeoutMs = 30_000): Promise<Run> {
  const all = ['--kubeconfig', sim.kubeconfigPath, '--cache-dir', join(dir, 'cache'), '--request-timeout=20s', ...args];
  return new Promise((resolve) => {
    execFile('kubectl', all, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr: err && code === -1 ? `${stderr}\n${err.message}` : stderr });
    });
  });
}

async function ok(args: string[], timeoutMs?: number): Promise<string> {
  const r = await kubectl(args, timeoutMs);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

/** Rows of kubectl's table output as objects keyed by header (cells are separated by 2+ spaces). */
function table(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trimEnd().split('\n');
  const cols = head!.trim().split(/\s{2,}/);
  return lines.map((l) =>
    Object.fromEntries(
      l
        .trim()
        .split(/\s{2,}/)
        .map((c, i) => [cols[i], c]),
    ),
  );
}

const nodeOf = (p: KubeObject) => (p.spec as { nodeName?: string }).nodeName;
const SMP = { contentType: 'application/strategic-merge-patch+json' };
/** A worker with no controller-less pod (drain refuses those without --force). */
const drainable = (except: string[] = []) =>
  ['worker-1', 'worker-2', 'worker-3'].find(
    (n) => !except.includes(n) && !sim.objects('pods').some((p) => nodeOf(p) === n && !p.metadata.ownerReferences?.length),
  )!;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubectl-test-'));
  sim = await startKubeSim({ masters: 1, workers: 3, version: '1.30.4', upgradeMs: 100, rescheduleMs: 50, workload: 'demo', dataDir: dir });
});
afterAll(() => sim?.close());

describe('kubectl against the simulated cluster', () => {
  it('finds kubectl on PATH', async () => {
    const r = await kubectl(['version', '--client']);
    if (r.code !== 0) throw new Error(`kubectl must be on PATH for this test (kubectl version --client exited ${r.code}: ${r.stderr.trim()})`);
    expect(r.stdout).toMatch(/Client Version: v1\.\d+/);
  });

  it('reads the version and discovery, subresources included', async () => {
    expect(await ok(['version'])).toContain('Server Version: v1.30.4');
    const core = JSON.parse(await ok(['get', '--raw', '/api/v1'])).resources.map((r: { name: string }) => r.name);
    expect(core).toEqual(expect.arrayContaining(['pods/eviction', 'nodes/status', 'nodes/proxy']));
    const resources = await ok(['api-resources', '--no-headers']);
    for (const gv of ['apps/v1', 'batch/v1', 'policy/v1']) expect(resources).toContain(gv);
    expect(resources).toMatch(/poddisruptionbudgets\s+pdb\s+policy\/v1\s+true\s+PodDisruptionBudget/);
  });

  it('prints nodes the way a real server does, plain and wide', async () => {
    const rows = table(await ok(['get', 'nodes']));
    expect(Object.keys(rows[0]!)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(rows.map((r) => [r.NAME, r.STATUS, r.ROLES, r.VERSION])).toEqual([
      ['master-1', 'Ready', 'control-plane', 'v1.30.4'],
      ...['worker-1', 'worker-2', 'worker-3'].map((n) => [n, 'Ready', '<none>', 'v1.30.4']),
    ]);
    expect(rows[0]!.AGE).toMatch(/^\d+(s|m)/);
    const wide = table(await ok(['get', 'nodes', '-o', 'wide']));
    expect(Object.keys(wide[0]!)).toEqual([
      'NAME',
      'STATUS',
      'ROLES',
      'AGE',
      'VERSION',
      'INTERNAL-IP',
      'EXTERNAL-IP',
      'OS-IMAGE',
      'KERNEL-VERSION',
      'CONTAINER-RUNTIME',
    ]);
    expect(wide[0]).toMatchObject({
      'INTERNAL-IP': '10.0.0.11',
      'EXTERNAL-IP': '<none>',
      'OS-IMAGE': 'Ubuntu 24.04.1 LTS',
      'CONTAINER-RUNTIME': 'containerd://1.7.22',
    });
  });

  it('lists pods, PDBs, DaemonSets, ReplicaSets, namespaces and Jobs with their columns', async () => {
    const pods = table(await ok(['get', 'pods', '-A', '-o', 'wide']));
    expect(Object.keys(pods[0]!)).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(pods.find((p) => p.NAME === 'debug-shell')).toMatchObject({ NAMESPACE: 'default', READY: '1/1', STATUS: 'Running', RESTARTS: '0' });
    expect(
      pods
        .filter((p) => p.NAME!.startsWith('kube-proxy-'))
        .map((p) => p.NODE)
        .sort(),
    ).toEqual(['master-1', 'worker-1', 'worker-2', 'worker-3']);
    expect(table(await ok(['get', 'pdb', '-A']))).toEqual([
      { NAMESPACE: 'default', NAME: 'web', 'MIN AVAILABLE': 'N/A', 'MAX UNAVAILABLE': '1', 'ALLOWED DISRUPTIONS': '1', AGE: expect.any(String) },
    ]);
    expect(table(await ok(['get', 'ds', '-A']))[0]).toMatchObject({
      NAME: 'kube-proxy',
      DESIRED: '4',
      CURRENT: '4',
      READY: '4',
      'UP-TO-DATE': '4',
      AVAILABLE: '4',
      'NODE SELECTOR': '<none>',
    });
    expect(table(await ok(['get', 'rs', '-n', 'default', '-o', 'wide'])).find((r) => r.NAME!.startsWith('web-'))).toMatchObject({
      DESIRED: '6',
      READY: '6',
      SELECTOR: 'app=web',
    });
    expect(table(await ok(['get', 'ns'])).map((n) => [n.NAME, n.STATUS])).toContainEqual(['kube-system', 'Active']);

    await sim.request('POST', '/api/v1/namespaces', { metadata: { name: 'kube-upgrade' } });
    const job = {
      metadata: { name: 'probe' },
      spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    };
    expect((await sim.request('POST', '/apis/batch/v1/namespaces/kube-upgrade/jobs', job)).status).toBe(201);
    const jobs = await eventually(async () => {
      const rows = table(await ok(['get', 'jobs', '-n', 'kube-upgrade']));
      return rows[0]?.STATUS === 'Complete' && rows;
    }, 'the job to complete');
    expect(Object.keys(jobs[0]!)).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    expect(jobs[0]).toMatchObject({ NAME: 'probe', COMPLETIONS: '1/1' });
  });

  it('filters with field and label selectors', async () => {
    const onW1 = table(await ok(['get', 'pods', '-A', '-o', 'wide', '--field-selector', 'spec.nodeName=worker-1']));
    expect(onW1.length).toBeGreaterThan(0);
    expect(new Set(onW1.map((p) => p.NODE))).toEqual(new Set(['worker-1']));
    expect(table(await ok(['get', 'nodes', '--field-selector', 'metadata.name=worker-2'])).map((n) => n.NAME)).toEqual(['worker-2']);
    expect(table(await ok(['get', 'nodes', '-l', 'node-role.kubernetes.io/control-plane'])).map((n) => n.NAME)).toEqual(['master-1']);
    const web = table(await ok(['get', 'pods', '-n', 'default', '-l', 'app=web']));
    expect(web).toHaveLength(6);
    expect(web.every((p) => p.NAME!.startsWith('web-'))).toBe(true);
  });

  it('streams node changes to get nodes -w', async () => {
    const child = spawn('kubectl', ['--kubeconfig', sim.kubeconfigPath, '--cache-dir', join(dir, 'cache'), 'get', 'nodes', '-w']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      await eventually(() => out.includes('worker-3'), 'the initial rows');
      expect((await sim.request('PATCH', '/api/v1/nodes/worker-1', { spec: { unschedulable: true } }, SMP)).status).toBe(200);
      await eventually(() => /worker-1\s+Ready,SchedulingDisabled\s+<none>/.test(out), 'the cordoned row');
    } finally {
      clearTimeout(killer);
      child.kill();
      await sim.request('PATCH', '/api/v1/nodes/worker-1', { spec: { unschedulable: null } }, SMP);
    }
  });

  it('cordons and uncordons', async () => {
    expect(await ok(['cordon', 'worker-2'])).toContain('node/worker-2 cordoned');
    expect(table(await ok(['get', 'nodes', 'worker-2']))[0]!.STATUS).toBe('Ready,SchedulingDisabled');
    expect(await ok(['uncordon', 'worker-2'])).toContain('node/worker-2 uncordoned');
    expect(table(await ok(['get', 'nodes', 'worker-2']))[0]!.STATUS).toBe('Ready');
  });

  it("fails a drain blocked by a PodDisruptionBudget with kubectl's message and exit code", async () => {
    const node = drainable();
    await writeFile(
      join(dir, 'block.yaml'),
      'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: hold-api, namespace: default}\nspec:\n  maxUnavailable: 0\n  selector: {matchLabels: {app: api}}\n',
    );
    await ok(['apply', '-f', join(dir, 'block.yaml')]);
    expect(sim.objects('pods', 'default').some((p) => nodeOf(p) === node && p.metadata.labels?.app === 'api')).toBe(true);
    const r = await kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout', '3s'], 40_000);
    expect(r.code).not.toBe(0);
    expect(r.code).toBeGreaterThan(0);
    expect(r.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget");
    expect(r.stderr).toContain(`unable to drain node "${node}"`);
    expect(sim.objects('pods', 'default').some((p) => nodeOf(p) === node && p.metadata.labels?.app === 'api')).toBe(true);
    await ok(['delete', '-f', join(dir, 'block.yaml')]);
    await ok(['uncordon', node]);
  });

  it('drains a node: DaemonSet pods stay, ReplicaSet pods come back elsewhere', async () => {
    const node = drainable();
    const r = await kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout', '20s'], 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`node/${node} drained`);
    expect(r.stderr).toContain('ignoring DaemonSet-managed Pods: kube-system/kube-proxy-');
    const left = sim.objects('pods').filter((p) => nodeOf(p) === node);
    expect(left.map((p) => p.metadata.ownerReferences?.[0]?.kind)).toEqual(['DaemonSet']);
    const rows = await eventually(async () => {
      const rs = table(await ok(['get', 'rs', '-n', 'default']));
      return rs.every((x) => x.READY === x.DESIRED) && rs;
    }, 'the ReplicaSets back at their count');
    expect(rows.map((x) => x.NAME!.split('-')[0])).toEqual(['api', 'web']);
    expect(
      sim
        .objects('pods', 'default')
        .filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet')
        .every((p) => nodeOf(p) !== node),
    ).toBe(true);
    expect(table(await ok(['get', 'nodes', node]))[0]!.STATUS).toBe('Ready,SchedulingDisabled');
    await ok(['uncordon', node]);
  });

  it('applies and deletes manifests (Namespace, Pod, ReplicaSet, PDB, Job) with server-side field validation', async () => {
    const manifests = {
      ns: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      pod: 'apiVersion: v1\nkind: Pod\nmetadata: {name: hello, namespace: shop, labels: {app: hello}}\nspec:\n  containers:\n  - name: main\n    image: busybox:1.36\n    env: [{name: GREETING, value: hi}]\n  - name: side\n    image: busybox:1.36\n',
      rs: 'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: front, namespace: shop}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: front}}\n  template:\n    metadata: {labels: {app: front}}\n    spec:\n      containers: [{name: nginx, image: nginx:1.27}]\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: front, namespace: shop}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: front}}\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: once, namespace: shop}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox:1.36}]\n',
    };
    const file = async (name: string, text: string) => {
      await writeFile(join(dir, name), text);
      return join(dir, name);
    };
    const [ns, pod, rs] = [await file('ns.yaml', manifests.ns), await file('pod.yaml', manifests.pod), await file('rs.yaml', manifests.rs)];
    expect(await ok(['apply', '-f', ns])).toContain('namespace/shop created');
    const created = await ok(['apply', '-f', pod, '-f', rs]);
    for (const what of ['pod/hello', 'replicaset.apps/front', 'poddisruptionbudget.policy/front', 'job.batch/once'])
      expect(created).toContain(`${what} created`);
    // kubectl left validation to the server: it sent fieldValidation=Strict
    expect(sim.requests.some((q) => q.method === 'POST' && q.path === '/api/v1/namespaces/shop/pods' && q.query.fieldValidation === 'Strict')).toBe(true);

    const pods = await eventually(async () => {
      const rows = table(await ok(['get', 'pods', '-n', 'shop', '-o', 'wide']));
      return rows.length === 4 && rows.filter((r) => !r.NAME!.startsWith('once-')).every((r) => r.STATUS === 'Running') && rows;
    }, 'the applied pods running');
    expect(pods.find((r) => r.NAME === 'hello')).toMatchObject({ READY: '2/2', NODE: expect.stringMatching(/^worker-/) });
    await eventually(async () => table(await ok(['get', 'jobs', '-n', 'shop']))[0]?.STATUS === 'Complete', 'the job to complete');
    expect(table(await ok(['get', 'pdb', '-n', 'shop']))[0]).toMatchObject({ NAME: 'front', 'MIN AVAILABLE': '1', 'ALLOWED DISRUPTIONS': '1' });

    // a second apply is a strategic merge patch: containers merge by name, labels merge
    await file('pod.yaml', manifests.pod.replace('value: hi', 'value: hello').replace('app: hello}', 'app: hello, tier: web}'));
    expect(await ok(['apply', '-f', pod])).toContain('pod/hello configured');
    const hello = sim.object('pods', 'shop', 'hello')!;
    expect(hello.metadata.labels).toEqual({ app: 'hello', tier: 'web' });
    const containers = (hello.spec as { containers: { name: string; env?: unknown[] }[] }).containers;
    expect(containers.map((c) => c.name)).toEqual(['main', 'side']);
    expect(containers[0]!.env).toEqual([{ name: 'GREETING', value: 'hello' }]);

    // unknown fields are refused by the server, naming the field, at any modelled depth
    const bad = await kubectl(['apply', '-f', await file('bad.yaml', manifests.rs.split('---')[0]!.replace('replicas: 2', 'replicas: 2\n  foo: bar'))]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('unknown field "spec.foo"');
    const deep = await kubectl([
      'apply',
      '-f',
      await file('deep.yaml', manifests.pod.replace('name: hello,', 'name: deep,').replace('  - name: side', '    bogus: 1\n  - name: side')),
    ]);
    expect(deep.code).not.toBe(0);
    expect(deep.stderr).toContain('unknown field "spec.containers[0].bogus"');
    expect(sim.object('pods', 'shop', 'deep')).toBeUndefined();

    expect(await ok(['delete', '-f', pod, '-f', rs], 60_000)).toContain('pod "hello" deleted');
    expect(sim.objects('replicasets', 'shop')).toEqual([]);
    const gone = await kubectl(['get', 'pod', 'hello', '-n', 'shop']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('pods "hello" not found');
    expect(await ok(['delete', '-f', ns], 60_000)).toContain('namespace "shop" deleted');
    expect(sim.object('namespaces', undefined, 'shop')).toBeUndefined();
  });

  it('shows the events an upgrade records, with get events and describe node, the node Lease included', async () => {
    // Prepare: events as kupgrade records them while it works on a node (events.k8s.io/v1, reportingController kupgrade)
    const uid = sim.object('nodes', undefined, 'worker-3')!.metadata.uid!;
    const event = (name: string, reason: string, note: string, type = 'Normal') => ({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace: 'default' },
      eventTime: new Date().toISOString().replace('Z', '000Z'),
      reportingController: 'kupgrade',
      reportingInstance: 'kupgrade-nodebatch',
      action: reason.replace(/^Node/, ''),
      reason,
      regarding: { apiVersion: 'v1', kind: 'Node', name: 'worker-3', uid },
      note,
      type,
    });
    for (const e of [
      event('worker-3.kupgrade-cordon', 'NodeCordoned', 'cordoned by upgrade upg-1 (batch 1)'),
      event('worker-3.kupgrade-drain', 'NodeDrainBlocked', 'the PodDisruptionBudget default/web allows no disruption', 'Warning'),
    ]) {
      const r = await sim.request('POST', '/apis/events.k8s.io/v1/namespaces/default/events', e);
      expect([r.status, r.body.message]).toEqual([201, undefined]);
    }

    // Act and assess: the server-side columns of kubectl get events
    const events = table(await ok(['get', 'events', '-A']));
    expect(Object.keys(events[0]!)).toEqual(['NAMESPACE', 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(events).toContainEqual({
      NAMESPACE: 'default',
      'LAST SEEN': expect.stringMatching(/^\d+s$/),
      TYPE: 'Normal',
      REASON: 'NodeCordoned',
      OBJECT: 'node/worker-3',
      MESSAGE: 'cordoned by upgrade upg-1 (batch 1)',
    });
    // wide: SUBOBJECT (empty here), SOURCE, MESSAGE, FIRST SEEN, COUNT, NAME
    const warnings = (await ok(['get', 'events', '-n', 'default', '--field-selector', 'type=Warning,involvedObject.name=worker-3', '-o', 'wide']))
      .trimEnd()
      .split('\n');
    expect(warnings[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+SUBOBJECT\s+SOURCE\s+MESSAGE\s+FIRST SEEN\s+COUNT\s+NAME$/);
    expect(warnings.slice(1)).toEqual([
      expect.stringMatching(
        /^\d+s\s+Warning\s+NodeDrainBlocked\s+node\/worker-3\s+kupgrade, kupgrade-nodebatch\s+the PodDisruptionBudget default\/web allows no disruption\s+\d+s\s+1\s+worker-3\.kupgrade-drain$/,
      ),
    ]);

    const described = await kubectl(['describe', 'node', 'worker-3']);
    expect([described.code, described.stderr]).toEqual([0, '']);
    expect(described.stdout).toMatch(/\nLease:\n {2}HolderIdentity: {2}worker-3\n {2}AcquireTime: {5}<unset>\n {2}RenewTime: {7}\w{3}, /);
    const eventsSection = described.stdout.slice(described.stdout.indexOf('\nEvents:'));
    expect(eventsSection).toMatch(/Normal\s+Starting\s+\S+\s+kubelet\s+Starting kubelet\./);
    expect(eventsSection).toMatch(/Normal\s+NodeCordoned\s+\S+\s+kupgrade\s+cordoned by upgrade upg-1 \(batch 1\)/);
    expect(eventsSection).toMatch(/Warning\s+NodeDrainBlocked\s+\S+\s+kupgrade\s+the PodDisruptionBudget default\/web allows no disruption/);
    expect(table(await ok(['get', 'leases', '-n', 'kube-node-lease'])).map((l) => [l.NAME, l.HOLDER, Object.keys(l)])).toContainEqual([
      'worker-3',
      'worker-3',
      ['NAME', 'HOLDER', 'AGE'],
    ]);
  });

  it('reads the logs of a succeeded and a failed upgrade Job with logs job/…, each from its own pod', async () => {
    // Prepare: two upgrade Jobs made by the driver, as kupgrade makes them, one on a node whose upgrade fails
    const driver = createKubernetesDriver(sim.kubeconfig);
    await annotateNode(sim, 'worker-2', { [ANNOTATION_SIM_FAIL_UPGRADE]: 'true' });
    const ok1 = await driver.ensureUpgradeJob({ upgradeId: 'upg-logs', node: 'worker-1', role: 'worker', targetVersion: '1.31.2' });
    const bad = await driver.ensureUpgradeJob({ upgradeId: 'upg-logs', node: 'worker-2', role: 'worker', targetVersion: '1.31.2' });
    try {
      await eventually(async () => (await driver.upgradeJobStatus('upg-logs', 'worker-1')).phase === 'succeeded', 'the Job on worker-1');
      const failed = await eventually(async () => {
        const st = await driver.upgradeJobStatus('upg-logs', 'worker-2');
        return st.phase === 'failed' && st;
      }, 'the Job on worker-2 to fail');

      // Act
      const before = sim.requests.length;
      const succeededLog = await ok(['logs', '-n', UPGRADE_NAMESPACE, `job/${ok1.name}`]);
      const failedLog = await ok(['logs', '-n', UPGRADE_NAMESPACE, `job/${bad.name}`]);

      // Assess: kubectl found each Job's pod by the Job's selector, and read what its recipe printed
      const uid = sim.object('jobs', UPGRADE_NAMESPACE, ok1.name)!.metadata.uid;
      expect(sim.requests.slice(before).some((r) => r.path.endsWith('/pods') && r.query.labelSelector === `batch.kubernetes.io/controller-uid=${uid}`)).toBe(
        true,
      );
      expect(succeededLog).toMatch(/^kupgrade: worker-1 \(worker\) -> v1\.31\.2\n/);
      expect(succeededLog).toContain('[upgrade] The configuration for this node was successfully updated!');
      expect(succeededLog).toContain('Setting up kubelet (1.31.2-1.1) ...');
      expect(succeededLog.trimEnd().split('\n').at(-1)).toBe('kupgrade: worker-1 done');
      expect(failedLog).toMatch(/^kupgrade: worker-2 \(worker\) -> v1\.31\.2\n/);
      expect(failedLog).toContain(`error execution phase preflight: simulated upgrade failure on node worker-2 (annotation ${ANNOTATION_SIM_FAIL_UPGRADE})`);
      expect(failedLog).not.toContain('done');
      expect(failed.message).toContain(`annotation ${ANNOTATION_SIM_FAIL_UPGRADE}`);
    } finally {
      await annotateNode(sim, 'worker-2', { [ANNOTATION_SIM_FAIL_UPGRADE]: null });
      await driver.deleteUpgradeJobs('upg-logs');
    }
  });

  it('deletes a manifest holding a namespace and its objects: the namespace is Terminating while they go', async () => {
    const manifest = join(dir, 'store.yaml');
    await writeFile(
      manifest,
      [
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: store}',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: till, namespace: store}\nspec:\n  containers: [{name: main, image: busybox:1.36}]',
        'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: shelf, namespace: store}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: shelf}}\n  template:\n    metadata: {labels: {app: shelf}}\n    spec:\n      containers: [{name: c, image: nginx:1.27}]',
        'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: shelf, namespace: store}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: shelf}}',
      ].join('\n---\n') + '\n',
    );
    await ok(['apply', '-f', manifest]);
    await eventually(
      () => sim.objects('pods', 'store').length === 3 && sim.objects('pods', 'store').every((p) => (p.status as { phase?: string }).phase === 'Running'),
      'the pods',
    );

    const r = await kubectl(['delete', '-f', manifest, '--wait=false']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.trim().split('\n')).toEqual([
      'namespace "store" deleted',
      'pod "till" deleted',
      'replicaset.apps "shelf" deleted',
      'poddisruptionbudget.policy "shelf" deleted',
    ]);
    expect(table(await ok(['get', 'ns', 'store']))[0]).toMatchObject({ NAME: 'store', STATUS: 'Terminating' });
    await eventually(async () => (await kubectl(['get', 'ns', 'store'])).stderr.includes('namespaces "store" not found'), 'the namespace to go');
    expect(sim.objects('pods', 'store')).toEqual([]);
  });

  it('pages with --chunk-size, as a list of any length is read', async () => {
    const before = sim.requests.length;
    const chunked = table(await ok(['get', 'pods', '-n', 'kube-system', '--chunk-size=2']));
    const pages = sim.requests.slice(before).filter((q) => q.path === '/api/v1/namespaces/kube-system/pods');
    const expected = sim.objects('pods', 'kube-system').map((p) => p.metadata.name);
    expect(expected.length).toBeGreaterThan(4);
    expect(chunked.map((p) => p.NAME)).toEqual([...expected].sort());
    expect(pages.map((q) => q.query.limit)).toEqual(Array(Math.ceil(expected.length / 2)).fill('2'));
    expect(pages.slice(1).every((q) => !!q.query.continue)).toBe(true);
    const all = table(await ok(['get', 'pods', '-A', '--chunk-size=2']));
    expect(all.length).toBe(sim.objects('pods').length);
    expect(Object.keys(all[0]!)).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  });

  it("refuses a kind the server does not serve with kubectl's own no-matches error", async () => {
    const widget = join(dir, 'widget.yaml');
    await writeFile(widget, 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {size: 1}\n');
    const r = await kubectl(['apply', '-f', widget]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no matches for kind "Widget" in version "example.com/v1"');
    expect(r.stderr).toContain('ensure CRDs are installed first');
    expect(r.stderr).not.toMatch(/openapi|error validating/i);
  });
});
