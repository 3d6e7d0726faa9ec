import { describe, expect, it } from '@jest/globals';
import { readFailed, readOk, type ClusterSnapshot } from '../../../src/domain/clusterSnapshot.js';
import { CHECKS, runChecks, summarize } from '../../../src/domain/precheck.js';
import { controlPlanePods, node, pdb, pod, snapshot } from '../../helpers/snapshot.js';
import { ANNOTATION_CORDONED_BY } from '../../../src/domain/clusterMarks.js';

const TARGET = '1.31.10';
const check = (name: string, s: ClusterSnapshot, targetVersion = TARGET) => {
  const r = runChecks({ targetVersion, snapshot: s }).find((x) => x.name === name);
  if (!r) throw new Error(`no check named ${name}`);
  return r;
};
const nodes = (...n: ReturnType<typeof node>[]) => readOk(n);
const pods = (...p: ReturnType<typeof pod>[]) => readOk([...controlPlanePods('master-1'), ...p]);

describe('precheck', () => {
  describe('runChecks', () => {
    it('runs the fifteen named checks (upgrade-lease since issue 16), each pass with an empty remedy on a healthy cluster', () => {
      // Act
      const results = runChecks({ targetVersion: TARGET, snapshot: snapshot() });
      // Assess
      expect(results.map((r) => r.name)).toEqual([
        'api-server',
        'target-version',
        'upgrade-lease',
        'nodes-ready',
        'kubelet-skew',
        'control-plane-health',
        'removed-apis',
        'pdb-blockers',
        'bare-pods',
        'local-storage',
        'helper-leftovers',
        'flexvolume-oss',
        'swap',
        'node-pressure',
        'node-headroom',
      ]);
      expect(results.every((r) => r.status === 'pass' && r.remedy === '')).toBe(true);
      expect(CHECKS).toHaveLength(15);
    });

    it('gives every warn and fail a remedy, and warns rather than crashes when nothing could be read', () => {
      const down = readFailed<never>('connect ECONNREFUSED 127.0.0.1:6443');
      const s: ClusterSnapshot = {
        serverVersion: down,
        readyz: down,
        nodes: down,
        pods: down,
        pdbs: down,
        helperJobs: down,
        lease: down,
        recorded: { objects: [], unreadable: ['pods: refused'] },
      };
      const results = runChecks({ targetVersion: TARGET, snapshot: s });
      expect(results.find((r) => r.name === 'api-server')).toMatchObject({ status: 'fail', message: expect.stringContaining('ECONNREFUSED') });
      expect(results.filter((r) => r.name !== 'api-server' && r.name !== 'target-version').every((r) => r.status === 'warn')).toBe(true);
      expect(results.every((r) => r.status === 'pass' || r.remedy.length > 0)).toBe(true);
      expect(summarize(results).status).toBe('failed');
    });
  });

  describe('summarize', () => {
    it('passes with warnings and fails on any fail', () => {
      expect(summarize([{ name: 'a', status: 'warn', message: 'm', remedy: 'r' }]).status).toBe('passed');
      expect(
        summarize([
          { name: 'a', status: 'warn', message: 'm', remedy: 'r' },
          { name: 'b', status: 'fail', message: 'm', remedy: 'r' },
        ]).status,
      ).toBe('failed');
    });
  });

  describe('api-server', () => {
    it('fails naming the failed /readyz checks', () => {
      expect(check('api-server', snapshot({ readyz: readOk({ ok: false, failed: ['etcd'] }) }))).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('etcd'),
      });
    });
  });

  describe('target-version', () => {
    it.each([
      ['1.31.2', 'not in the version catalog'],
      ['1.29.15', 'older than'],
      ['1.32.6', 'skips'],
    ])('fails for %s (%s)', (target, text) => {
      expect(check('target-version', snapshot(), target)).toMatchObject({ status: 'fail', message: expect.stringContaining(text) });
    });
    it('passes for a newer patch of the minor in the catalog', () => {
      expect(check('target-version', snapshot(), '1.30.14')).toMatchObject({ status: 'pass', message: '1.30.4 → 1.30.14 is a patch upgrade' });
    });
  });

  describe('nodes-ready', () => {
    it('fails on a NotReady node and warns on a cordoned one, naming them', () => {
      expect(check('nodes-ready', snapshot({ nodes: nodes(node('master-1'), node('worker-1', { ready: false })) }))).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('worker-1'),
      });
      expect(check('nodes-ready', snapshot({ nodes: nodes(node('master-1'), node('worker-2', { unschedulable: true })) }))).toMatchObject({
        status: 'warn',
        message: expect.stringContaining('worker-2'),
      });
    });
    it("tells an operator's cordon (kept) from one an earlier kupgrade upgrade left (taken over and undone), naming that upgrade", () => {
      const r = check(
        'nodes-ready',
        snapshot({
          nodes: nodes(
            node('master-1'),
            node('worker-1', { unschedulable: true }),
            node('worker-2', { unschedulable: true, annotations: { [ANNOTATION_CORDONED_BY]: 'upg-old' } }),
          ),
        }),
      );
      expect(r).toMatchObject({
        status: 'warn',
        message:
          'nodes cordoned by an operator: worker-1; they are upgraded and left cordoned; ' +
          'nodes left cordoned by an earlier kupgrade upgrade: worker-2 (upgrade upg-old); the upgrade takes these cordons over and uncordons the nodes once they are upgraded and Ready',
      });
      const onlyKupgrade = check(
        'nodes-ready',
        snapshot({ nodes: nodes(node('master-1'), node('worker-2', { unschedulable: true, annotations: { [ANNOTATION_CORDONED_BY]: 'upg-old' } })) }),
      );
      expect(onlyKupgrade.message).not.toContain('operator');
      expect(onlyKupgrade.remedy).toContain(`kubectl annotate node <name> ${ANNOTATION_CORDONED_BY}-`);
    });
  });

  describe('kubelet-skew', () => {
    it('fails on a kubelet more than 3 minors behind the target', () => {
      expect(check('kubelet-skew', snapshot({ nodes: nodes(node('master-1'), node('worker-1', { kubeletVersion: '1.27.9' })) }))).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('worker-1'),
      });
    });
  });

  describe('control-plane-health', () => {
    it('fails when a control-plane pod on a master is not Ready or missing', () => {
      const [api, ...rest] = controlPlanePods('master-1');
      const notReady = snapshot({ pods: readOk([{ ...api!, ready: false }, ...rest]) });
      expect(check('control-plane-health', notReady)).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('kube-apiserver on master-1: Running, not Ready'),
      });
      const twoMasters = snapshot({
        nodes: nodes(node('master-1'), node('master-2'), node('worker-1')),
        pods: readOk([...controlPlanePods('master-1'), ...controlPlanePods('master-2').slice(1)]),
      });
      expect(check('control-plane-health', twoMasters)).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('kube-apiserver on master-2: no pod'),
      });
    });
    it('fails when HA apiservers are more than one minor apart', () => {
      const s = snapshot({
        nodes: nodes(node('master-1'), node('master-2')),
        pods: readOk([...controlPlanePods('master-1', '1.30.4'), ...controlPlanePods('master-2', '1.28.3')]),
      });
      expect(check('control-plane-health', s)).toMatchObject({ status: 'fail', message: expect.stringContaining('more than one minor apart') });
    });
    it('does not judge a component that runs on no master (external etcd)', () => {
      const s = snapshot({ pods: readOk(controlPlanePods('master-1').filter((p) => p.labels.component !== 'etcd')) });
      expect(check('control-plane-health', s)).toMatchObject({ status: 'pass' });
    });
  });

  describe('removed-apis', () => {
    it('fails naming each object written with a version removed at or before the target', () => {
      const s = snapshot({
        recorded: {
          objects: [
            {
              kind: 'PodDisruptionBudget',
              namespace: 'default',
              name: 'old',
              apiVersions: [{ apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', source: 'last-applied' }],
            },
            {
              kind: 'FlowSchema',
              name: 'fs',
              apiVersions: [{ apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', kind: 'FlowSchema', source: 'managedFields' }],
            },
          ],
          unreadable: [],
        },
      });
      const r = check('removed-apis', s);
      expect(r).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('PodDisruptionBudget default/old (policy/v1beta1, removed in 1.25, use policy/v1; last-applied)'),
      });
      // v1beta3 flow schemas go only in 1.32
      expect(r.message).not.toContain('fs');
      expect(check('removed-apis', s, '1.32.6').message).toContain('FlowSchema fs');
    });
    it('warns when some resources could not be scanned', () => {
      expect(check('removed-apis', snapshot({ recorded: { objects: [], unreadable: ['cronjobs.batch: forbidden'] } }))).toMatchObject({
        status: 'warn',
        message: expect.stringContaining('cronjobs.batch'),
      });
    });
  });

  describe('pdb-blockers', () => {
    it('fails on a zero maxUnavailable, a budget needing every pod, and a pod under two PDBs', () => {
      expect(check('pdb-blockers', snapshot({ pdbs: readOk([pdb('a', { maxUnavailable: 0, disruptionsAllowed: 0 })]) }))).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('default/a (maxUnavailable 0)'),
      });
      const all = pdb('b', { maxUnavailable: undefined, minAvailable: 3, disruptionsAllowed: 0, currentHealthy: 3, desiredHealthy: 3 });
      expect(check('pdb-blockers', snapshot({ pdbs: readOk([all]) }))).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('default/b (minAvailable 3 of 3 pods)'),
      });
      const twice = snapshot({
        pdbs: readOk([pdb('web'), pdb('web-too', { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } })]),
      });
      expect(check('pdb-blockers', twice)).toMatchObject({ status: 'fail', message: expect.stringContaining('default/web-1 (web, web-too)') });
    });
    it('only warns when a budget is at zero because pods are unhealthy right now', () => {
      expect(check('pdb-blockers', snapshot({ pdbs: readOk([pdb('web', { disruptionsAllowed: 0, currentHealthy: 2 })]) }))).toMatchObject({ status: 'warn' });
    });
  });

  describe('workload checks', () => {
    it('warns on bare pods, emptyDir and FlexVolume OSS pods, leaving mirror and DaemonSet pods alone', () => {
      const s = snapshot({
        pods: pods(
          pod('default', 'bare', { controllerKinds: [] }),
          pod('default', 'cache', { emptyDirVolumes: ['tmp'] }),
          pod('kube-system', 'ds-cache', { controllerKinds: ['DaemonSet'], emptyDirVolumes: ['tmp'] }),
          pod('default', 'oss', { flexVolumes: [{ volume: 'data', driver: 'alicloud/oss' }] }),
          pod('default', 'nas', { flexVolumes: [{ volume: 'data', driver: 'alicloud/nas' }] }),
        ),
      });
      expect(check('bare-pods', s)).toMatchObject({ status: 'warn', message: expect.stringMatching(/default\/bare$/) });
      expect(check('local-storage', s)).toMatchObject({ status: 'warn', message: expect.stringMatching(/default\/cache \(tmp\)$/) });
      expect(check('flexvolume-oss', s)).toMatchObject({ status: 'warn', message: expect.stringMatching(/: default\/oss$/) });
    });
  });

  describe('helper-leftovers', () => {
    it('fails on failed helper Jobs and pods, naming them', () => {
      const s = snapshot({
        helperJobs: readOk([{ name: 'kupgrade-1-w1', failed: true, active: false }]),
        pods: pods(pod('kube-upgrade', 'kupgrade-1-w1-x', { phase: 'Failed', controllerKinds: ['Job'] })),
      });
      const r = check('helper-leftovers', s);
      expect(r).toMatchObject({ status: 'fail', message: expect.stringContaining('Job kupgrade-1-w1') });
      expect(r.message).toContain('pod kube-upgrade/kupgrade-1-w1-x');
      expect(r.remedy).toContain('delete');
    });
  });

  describe('node checks', () => {
    it('warns on swap and on an unreadable configz', () => {
      expect(
        check('swap', snapshot({ nodes: nodes(node('worker-1', { kubeletSwap: readOk({ failSwapOn: false, swapBehavior: 'LimitedSwap' }) })) })),
      ).toMatchObject({ status: 'warn', message: expect.stringContaining('worker-1 (LimitedSwap)') });
      expect(check('swap', snapshot({ nodes: nodes(node('worker-1', { kubeletSwap: readFailed('HTTP 403: forbidden') })) }))).toMatchObject({
        status: 'warn',
        message: expect.stringContaining('worker-1: HTTP 403'),
      });
    });
    it('fails on pressure conditions', () => {
      expect(check('node-pressure', snapshot({ nodes: nodes(node('worker-1', { trueConditions: ['Ready', 'DiskPressure'] })) }))).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('worker-1 (DiskPressure)'),
      });
    });
    it('warns when requests leave less than 20% of a node', () => {
      const s = snapshot({ nodes: nodes(node('worker-1')), pods: readOk([pod('default', 'big', { requests: { cpuMillis: 3500, memoryBytes: 2 ** 30 } })]) });
      expect(check('node-headroom', s)).toMatchObject({ status: 'warn', message: expect.stringContaining('worker-1 (CPU 13%, memory 94% free)') });
    });
  });
});
