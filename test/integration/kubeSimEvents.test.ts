import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startKubeSim, type KubeObject, type KubeSim } from '../../local/kube-sim/index.js';
import { eventually } from '../helpers/eventually.js';
import { cordonByOperator, setNodeReady } from '../helpers/simOps.js';

const microNow = () => new Date().toISOString().replace('Z', '000Z');
const q = (s: string) => encodeURIComponent(s);

describe('kube-sim: Events in core/v1 and events.k8s.io/v1', () => {
  let sim: KubeSim;
  let nodeUid: string;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 2, upgradeMs: 50, rescheduleMs: 20, workload: 'none' });
    nodeUid = sim.object('nodes', undefined, 'worker-1')!.metadata.uid!;
  });
  afterAll(() => sim?.close());

  it('stores an events.k8s.io/v1 Event once and serves it in both shapes', async () => {
    const event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'worker-1.cordon', namespace: 'default' },
      eventTime: microNow(),
      reportingController: 'kupgrade',
      reportingInstance: 'kupgrade-nodebatch',
      action: 'Cordon',
      reason: 'NodeCordoned',
      regarding: { kind: 'Node', name: 'worker-1', uid: nodeUid, apiVersion: 'v1' },
      note: 'cordoned by upgrade upg-1',
      type: 'Normal',
    };
    const created = await sim.request('POST', '/apis/events.k8s.io/v1/namespaces/default/events', event);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ apiVersion: 'events.k8s.io/v1', regarding: { name: 'worker-1' }, note: 'cordoned by upgrade upg-1' });
    const core = (await sim.request('GET', '/api/v1/namespaces/default/events/worker-1.cordon')).body;
    expect(core).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      involvedObject: { kind: 'Node', name: 'worker-1', uid: nodeUid },
      message: 'cordoned by upgrade upg-1',
      reportingComponent: 'kupgrade',
      reportingInstance: 'kupgrade-nodebatch',
      reason: 'NodeCordoned',
    });
    expect(core.regarding).toBeUndefined();
  });

  it('writes core/v1 Events as a legacy recorder does, and reads them as events.k8s.io/v1', async () => {
    const legacy = {
      metadata: { name: 'worker-1.drain' },
      involvedObject: { kind: 'Node', name: 'worker-1', uid: nodeUid },
      reason: 'NodeDrainBlocked',
      message: 'a budget blocks the drain',
      type: 'Warning',
      source: { component: 'kupgrade' },
      firstTimestamp: new Date().toISOString(),
      lastTimestamp: new Date().toISOString(),
      count: 3,
    };
    expect((await sim.request('POST', '/api/v1/namespaces/default/events', legacy)).status).toBe(201);
    const v1 = (await sim.request('GET', '/apis/events.k8s.io/v1/namespaces/default/events/worker-1.drain')).body;
    expect(v1).toMatchObject({
      note: 'a budget blocks the drain',
      deprecatedSource: { component: 'kupgrade' },
      deprecatedCount: 3,
      regarding: { name: 'worker-1' },
    });
  });

  it('selects events by the fields kubectl uses, under each version’s names', async () => {
    const kubectlDescribe = `involvedObject.uid=${nodeUid},involvedObject.name=worker-1,involvedObject.namespace=,involvedObject.kind=Node`;
    const described = (await sim.request('GET', `/api/v1/events?fieldSelector=${q(kubectlDescribe)}&limit=500`)).body.items as KubeObject[];
    expect(described.map((e) => e.reason).sort()).toEqual(['NodeCordoned', 'NodeDrainBlocked']);
    const warnings = (await sim.request('GET', `/api/v1/events?fieldSelector=${q('type=Warning')}`)).body.items as KubeObject[];
    expect(warnings.map((e) => e.metadata.name)).toEqual(['worker-1.drain']);
    const bySource = (await sim.request('GET', `/api/v1/namespaces/default/events?fieldSelector=${q('source=kupgrade,reason=NodeCordoned')}`)).body.items;
    expect(bySource).toHaveLength(1);
    const regarding = (await sim.request('GET', `/apis/events.k8s.io/v1/events?fieldSelector=${q('regarding.name=worker-1,reportingController=kupgrade')}`))
      .body.items;
    // the legacy event names only a source, not a reporting controller
    expect(regarding.map((e: KubeObject) => e.metadata.name)).toEqual(['worker-1.cordon']);
    const wrongName = await sim.request('GET', `/apis/events.k8s.io/v1/events?fieldSelector=${q('involvedObject.name=worker-1')}`);
    expect([wrongName.status, wrongName.body.message]).toEqual([400, 'field label not supported: involvedObject.name']);
  });

  it('refuses an events.k8s.io/v1 Event without eventTime, type or reporting controller, naming each field', async () => {
    const r = await sim.request('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      metadata: { name: 'bad' },
      regarding: { kind: 'Node', name: 'worker-1' },
      reason: 'X',
      note: 'n',
    });
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe('Invalid');
    expect(r.body.message).toMatch(/^Event\.events\.k8s\.io "bad" is invalid: \[/);
    for (const field of ['eventTime', 'type']) expect(r.body.details.causes.map((c: { field: string }) => c.field)).toContain(field);
    const wrongNs = await sim.request('POST', '/api/v1/namespaces/default/events', {
      metadata: { name: 'elsewhere' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'kube-system' },
      reason: 'X',
      message: 'm',
    });
    expect(wrongNs.status).toBe(422);
    expect(wrongNs.body.message).toContain('involvedObject.namespace: Invalid value: "kube-system": does not match event.namespace');
  });

  it('records the kubelet’s node events itself: Starting, NodeReady, NodeNotSchedulable, and the node controller’s NodeNotReady', async () => {
    await cordonByOperator(sim, 'worker-2');
    await setNodeReady(sim, 'worker-2', false);
    try {
      const byNodeName = (await sim.request('GET', `/api/v1/events?fieldSelector=${q('involvedObject.uid=worker-2,involvedObject.kind=Node')}`)).body.items;
      expect(byNodeName.map((e: KubeObject) => [e.reason, (e.source as { component: string }).component])).toEqual(
        expect.arrayContaining([
          ['Starting', 'kubelet'],
          ['NodeReady', 'kubelet'],
          ['NodeNotSchedulable', 'kubelet'],
          ['NodeNotReady', 'node-controller'],
        ]),
      );
    } finally {
      await setNodeReady(sim, 'worker-2', true);
    }
  });
});

describe('kube-sim: Leases', () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ masters: 1, workers: 2, upgradeMs: 50, rescheduleMs: 20, workload: 'none', leaseRenewMs: 40 });
  });
  afterAll(() => sim?.close());

  const renewTime = (node: string) => (sim.object('leases', 'kube-node-lease', node)?.spec as { renewTime?: string } | undefined)?.renewTime;

  it('keeps one Lease per node in kube-node-lease, owned by its Node and renewed by its kubelet; a NotReady node’s stops', async () => {
    const lease = sim.object('leases', 'kube-node-lease', 'worker-1')!;
    expect(lease).toMatchObject({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ownerReferences: [{ kind: 'Node', name: 'worker-1', uid: sim.object('nodes', undefined, 'worker-1')!.metadata.uid }] },
      spec: { holderIdentity: 'worker-1', leaseDurationSeconds: 40, renewTime: expect.stringMatching(/\.\d{6}Z$/) },
    });
    await setNodeReady(sim, 'worker-2', false);
    const stale = renewTime('worker-2');
    const before = renewTime('worker-1');
    await eventually(() => renewTime('worker-1') !== before, 'worker-1 to renew');
    await eventually(() => renewTime('worker-1') !== before && Date.parse(renewTime('worker-1')!) > Date.parse(before!) + 60, 'a second renewal');
    expect(renewTime('worker-2')).toBe(stale);
    await setNodeReady(sim, 'worker-2', true);
    await eventually(() => renewTime('worker-2') !== stale, 'worker-2 to renew again');
  });

  it('serves Lease CRUD with resourceVersion preconditions and field validation', async () => {
    const path = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
    const created = await sim.request('POST', path, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'leader' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 15 },
    });
    expect(created.status).toBe(201);
    const taken = await sim.request('PUT', `${path}/leader`, { ...created.body, spec: { ...created.body.spec, holderIdentity: 'b' } });
    expect(taken.status).toBe(200);
    const stale = await sim.request('PUT', `${path}/leader`, { ...created.body, spec: { ...created.body.spec, holderIdentity: 'c' } });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    expect(sim.object('leases', 'default', 'leader')!.spec).toMatchObject({ holderIdentity: 'b' });
    const unknown = await sim.request('POST', path, { metadata: { name: 'x' }, spec: { holder: 'typo' } }, undefined);
    expect(unknown.status).toBe(201); // fieldValidation defaults to Warn
    expect(unknown.headers.warning).toContain('unknown field \\"spec.holder\\"');
    expect((await sim.request('DELETE', `${path}/leader`)).status).toBe(200);
    expect(sim.object('leases', 'default', 'leader')).toBeUndefined();
  });
});
