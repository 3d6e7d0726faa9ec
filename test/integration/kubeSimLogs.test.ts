import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startKubeSim, type KubeObject, type KubeSim } from '../../local/kube-sim/index.js';
import { ANNOTATION_SIM_FAIL_UPGRADE } from '../../local/kube-sim/annotations.js';
import { UPGRADE_NAMESPACE } from '../../src/domain/clusterMarks.js';
import { createKubernetesDriver } from '../../src/kube/k8sDriver.js';
import { eventually } from '../helpers/eventually.js';
import { annotateNode } from '../helpers/simOps.js';

type Status = { containerStatuses?: { state: { terminated?: { exitCode: number; reason: string; message: string } } }[] };
const terminated = (p: KubeObject) => (p.status as Status).containerStatuses?.[0]?.state.terminated;

describe('kube-sim: Jobs as the Job controller shapes them, and pod logs', () => {
  let sim: KubeSim;
  const log = async (pod: string, query = '') => sim.request('GET', `/api/v1/namespaces/${UPGRADE_NAMESPACE}/pods/${pod}/log${query}`);
  const podOf = (job: string) => sim.objects('pods', UPGRADE_NAMESPACE).find((p) => p.metadata.labels?.['job-name'] === job)!;
  let ok: string;
  let failed: string;

  beforeAll(async () => {
    // Job pods start at once; other pods take rescheduleMs, long enough to ask for the log of one not started yet
    sim = await startKubeSim({ masters: 1, workers: 2, version: '1.30.4', upgradeMs: 50, rescheduleMs: 300, workload: 'none' });
    const driver = createKubernetesDriver(sim.kubeconfig);
    await annotateNode(sim, 'worker-2', { [ANNOTATION_SIM_FAIL_UPGRADE]: 'true' });
    ok = (await driver.ensureUpgradeJob({ upgradeId: 'upg-logs', node: 'worker-1', role: 'worker', targetVersion: '1.31.2' })).name;
    failed = (await driver.ensureUpgradeJob({ upgradeId: 'upg-logs', node: 'worker-2', role: 'worker', targetVersion: '1.31.2' })).name;
    await eventually(async () => {
      const phases = await Promise.all([ok, failed].map((j) => driver.upgradeJobStatus('upg-logs', j.endsWith('worker-1') ? 'worker-1' : 'worker-2')));
      return phases.every((s) => s.phase !== 'running');
    }, 'both Jobs to finish');
  });
  afterAll(() => sim?.close());

  it('gives each Job a selector on its own uid and labels its template and pods with it (manualSelector unset)', () => {
    const job = sim.object('jobs', UPGRADE_NAMESPACE, ok)!;
    const uid = job.metadata.uid!;
    const spec = job.spec as { selector: unknown; template: { metadata: { labels: Record<string, string> } }; completions: number; parallelism: number };
    expect(spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    const generated = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': ok, 'controller-uid': uid, 'job-name': ok };
    expect(spec.template.metadata.labels).toMatchObject({ ...generated, 'kupgrade.io/upgrade-id': 'upg-logs' });
    expect(podOf(ok).metadata.labels).toMatchObject(generated);
    expect([spec.completions, spec.parallelism]).toEqual([1, 1]);
    // the Job keeps the labels kupgrade gave it
    expect(job.metadata.labels?.['controller-uid']).toBeUndefined();
  });

  it('logs what the recipe prints: kubeadm upgrade node, then the kubelet package at the target', async () => {
    const r = await log(podOf(ok).metadata.name);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    const lines = (r.body as string).trimEnd().split('\n');
    expect(lines[0]).toBe('kupgrade: worker-1 (worker) -> v1.31.2');
    expect(lines).toContain('[upgrade] The configuration for this node was successfully updated!');
    expect(lines).toContain('Setting up kubelet (1.31.2-1.1) ...');
    expect(lines.at(-1)).toBe('kupgrade: worker-1 done');
    const tail = await log(podOf(ok).metadata.name, '?tailLines=2&timestamps=true&container=upgrade');
    expect((tail.body as string).trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:]+\.\d{9}Z Setting up kubectl \(1\.31\.2-1\.1\) \.\.\.$/),
      expect.stringMatching(/Z kupgrade: worker-1 done$/),
    ]);
  });

  it('logs why a failed upgrade failed, and its pod carries the termination message, reason and exit code', async () => {
    const pod = podOf(failed);
    expect(terminated(pod)).toEqual(
      expect.objectContaining({ exitCode: 1, reason: 'Error', message: expect.stringContaining(`annotation ${ANNOTATION_SIM_FAIL_UPGRADE}`) }),
    );
    const text = (await log(pod.metadata.name)).body as string;
    expect(text).toContain('kupgrade: worker-2 (worker) -> v1.31.2');
    expect(text).toContain(`error execution phase preflight: ${terminated(pod)!.message}`);
    expect(text).not.toContain('kupgrade: worker-2 done');
  });

  it('refuses what the kubelet refuses: no previous container, an unknown one, one not started yet', async () => {
    const name = podOf(ok).metadata.name;
    expect((await log(name, '?previous=true')).body).toMatchObject({
      code: 400,
      message: `previous terminated container "upgrade" in pod "${name}" not found`,
    });
    expect((await log(name, '?container=nope')).body).toMatchObject({ code: 400, message: `container nope is not valid for pod ${name}` });
    const two = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'two' },
      spec: {
        nodeName: 'master-1',
        containers: [
          { name: 'a', image: 'x' },
          { name: 'b', image: 'x' },
        ],
      },
    };
    expect((await sim.request('POST', `/api/v1/namespaces/${UPGRADE_NAMESPACE}/pods`, two)).status).toBe(201);
    expect((await log('two')).body).toMatchObject({ code: 400, message: 'a container name must be specified for pod two, choose one of: [a b]' });
    expect((await log('two', '?container=a')).body).toMatchObject({ code: 400, message: 'container "a" in pod "two" is waiting to start: ContainerCreating' });
    await eventually(async () => (await log('two', '?container=a')).status === 200, 'the pod to start');
    expect((await log('two', '?container=a')).body).toBe('');
  });
});
