// What one upgrade asks of DynamoDB and of the cluster's API server, per poll
// and per batch, counted on the real stack (the bench's harness: the ASL on
// the local engine, the phase handlers, the driver against kube-sim, dynalite).
// The counts are deterministic, so they are asserted exactly; the cluster is
// upgraded at two sizes to show they follow the batch, not the cluster.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { measureUpgrade, type StepRecord, type UpgradeMeasure } from '../../bench/upgradeCost.js';

const SIZES = [20, 120];
const settled = (s: string) => s === 'done' || s === 'failed' || s === 'skipped';
const isCollectionRead = (q: StepRecord['requests'][number]) =>
  q.method === 'GET' && !q.query.fieldSelector && !q.query.labelSelector && /^\/(api\/v1|apis\/[^/]+\/[^/]+)\/[a-z]+$/.test(q.path);

interface Classified {
  step: StepRecord;
  /** the steps of the batch's nodes before this step (empty outside a batch) */
  before: string[];
  /** a poll in which no node of the batch moved (its stored progress is the same after it) */
  idle: boolean;
}

function classify(steps: StepRecord[]): Classified[] {
  let prev: StepRecord | undefined;
  return steps.map((step) => {
    const was = prev && step.batchAtStart !== null && prev.batchNodes > 0 ? prev.nodes : [];
    prev = step;
    const idle = step.batchAtStart !== null && step.wait && was.length > 0 && JSON.stringify(was) === JSON.stringify(step.nodes);
    return { step, before: was.map((n) => n.step), idle };
  });
}

describe('the load of an upgrade follows the batch, not the cluster', () => {
  const runs: UpgradeMeasure[] = [];
  beforeAll(async () => {
    // Jobs that take a few polls even on a loaded machine (at 300 ms a slow step could see every Job done), so batches have polls in which nothing moves
    for (const workers of SIZES) runs.push(await measureUpgrade({ masters: 3, workers, workload: 'none', upgradeMs: 1500 }));
  }, 240_000);

  it('a poll in which no node moved: 4 state transitions, no DynamoDB write, one Lease read and one read per node in flight, never a list of the cluster', () => {
    for (const run of runs) {
      const idle = classify(run.steps).filter((c) => c.idle);
      expect(idle.length).toBeGreaterThan(5);
      for (const { step, before } of idle) {
        const inFlight = before.filter((s) => !settled(s));
        expect({ transitions: step.transitions, dynamoWrites: step.dynamoWrites, writes: step.requests.filter((q) => q.method !== 'GET').length }).toEqual({
          transitions: 4,
          dynamoWrites: 0,
          writes: 0,
        });
        expect(step.requests.filter(isCollectionRead)).toEqual([]);
        // a node waiting for its Job costs one read of the Job; one waiting to be Ready again, at most two
        if (inFlight.every((s) => s === 'upgrading')) expect(step.requests.length).toBe(1 + inFlight.length);
        else expect(step.requests.length).toBeLessThanOrEqual(1 + 2 * inFlight.length);
      }
    }
  });

  it('inside a batch of k nodes, DynamoDB takes 2k + 2 writes plus one per step in which a node moved, at every size', () => {
    for (const run of runs) {
      const perBatch = new Map<number, { k: number; writes: number; moving: number }>();
      for (const { step, before, idle } of classify(run.steps)) {
        if (step.batchAtStart === null || idle) continue;
        const b = perBatch.get(step.batchAtStart) ?? { k: before.length, writes: 0, moving: 0 };
        b.writes += step.dynamoWrites;
        b.moving++;
        perBatch.set(step.batchAtStart, b);
      }
      expect(perBatch.size).toBe(run.batches.length);
      for (const b of perBatch.values()) expect(b.writes - b.moving).toBe(2 * b.k + 2);
    }
  });

  it('the cluster is listed only between batches (validation, the next batch), in the precheck and the cleanup: never while a batch runs', () => {
    for (const run of runs) {
      const inBatch = run.steps.filter((s) => s.batchAtStart !== null);
      expect(inBatch.flatMap((s) => s.requests.filter(isCollectionRead))).toEqual([]);
      // each look between batches is one page of nodes and one of ReplicaSets, whatever the size
      const boundaryLooks = run.steps
        .filter((s) => s.batchAtStart === null && (s.fn === 'Master' || s.fn === 'NodeBatch'))
        .map((s) => s.requests.filter(isCollectionRead).map((q) => q.path));
      for (const look of boundaryLooks) expect(look.length === 0 || look.join() === '/api/v1/nodes,/apis/apps/v1/replicasets').toBe(true);
    }
  });

  it('changes each node with exactly 2 node patches, 1 Job created, 1 Job deleted and 5 Events, at every size', () => {
    for (const run of runs) {
      const nodes = run.masters + run.workers;
      const writes = run.steps.flatMap((s) => s.requests).filter((q) => q.method !== 'GET');
      const count = (method: string, re: RegExp) => writes.filter((q) => q.method === method && re.test(q.path)).length;
      expect({
        nodePatches: count('PATCH', /^\/api\/v1\/nodes\/[^/]+$/),
        jobsCreated: count('POST', /\/namespaces\/kube-upgrade\/jobs$/),
        jobsDeleted: count('DELETE', /\/namespaces\/kube-upgrade\/jobs\/[^/]+$/),
        events: count('POST', /\/apis\/events\.k8s\.io\/v1\/namespaces\/[^/]+\/events$/),
      }).toEqual({ nodePatches: 2 * nodes, jobsCreated: nodes, jobsDeleted: nodes, events: 5 * nodes });
    }
  });
});
