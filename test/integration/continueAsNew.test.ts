import { afterEach, describe, expect, it } from '@jest/globals';
import type { StepState } from '../../src/phases/context.js';
import { listBatches } from '../../src/store/batches.js';
import { listEvents } from '../../src/store/events.js';
import { createUpgrade } from '../../src/upgrades/createUpgrade.js';
import { continueInNewExecution } from '../../src/phases/continueExecution.js';
import { runBegin } from '../../src/phases/begin.js';
import { cancelUpgrade, pauseUpgrade, resumeUpgrade, startUpgrade } from '../../src/upgrades/control.js';
import type { TaskHandler } from '../../src/workflow/localEngine.js';
import { eventually } from '../helpers/eventually.js';
import { startTestStack, type TestStack } from '../helpers/testStack.js';

const target = '1.31.10';
/** 30 workers: batches of 1, 2, then 3 (10%) */
const WORKERS = 30;
const ramp = (batches: number) => Array.from({ length: batches }, (_, i) => Math.min(2 ** i, 3));

/** One Task call as the wrapped handlers saw it, in the order of a counter (not a clock). */
interface Call {
  fn: string;
  upgradeId: string;
  execution?: string;
  from: number;
  to: number;
  /** true for a Begin that found the upgrade still in another execution: it only looked, and polled */
  polled: boolean;
}

/** What the wrapped Task handlers saw: every call, and how many hops. */
interface Watch {
  calls: Call[];
  hops: number;
  /** called when a step hands the upgrade to the next execution */
  onHop?: (hop: number) => void;
}

const idsOf = (event: unknown) => {
  const e = event as { upgradeId?: string; executionName?: string; input?: { upgradeId?: string } };
  return { upgradeId: e.upgradeId ?? e.input?.upgradeId ?? '?', execution: e.executionName };
};

function watching(watch: Watch) {
  let tick = 0;
  return (handlers: Record<string, TaskHandler>): Record<string, TaskHandler> =>
    Object.fromEntries(
      Object.entries(handlers).map(([fn, handler]) => [
        fn,
        async (event: unknown) => {
          const call: Call = { fn, ...idsOf(event), from: ++tick, to: Infinity, polled: false };
          watch.calls.push(call);
          try {
            const out = (await handler(event)) as StepState & { awaitingExecution?: string };
            if (out.awaitingExecution) call.polled = true;
            if (out.status === 'continued') watch.onHop?.(++watch.hops);
            return out;
          } finally {
            call.to = ++tick;
          }
        },
      ]),
    );
}

/**
 * Pairs of phase Task calls of one upgrade (the steps that act on the
 * cluster) that were inside at the same time. Begin is left out: it only
 * reads the execution it follows, and polls while that one runs.
 */
function overlaps(calls: Call[], upgradeId: string): string[] {
  const mine = calls.filter((c) => c.upgradeId === upgradeId && c.fn !== 'Begin');
  return mine.flatMap((a, i) =>
    mine.slice(i + 1).flatMap((b) => (a.from < b.to && b.from < a.to ? [`${a.fn}@${a.execution} with ${b.fn}@${b.execution}`] : [])),
  );
}

describe('a long upgrade goes on in new executions (tiny MAX_EXECUTION_EVENTS)', () => {
  let stack: TestStack | undefined;
  afterEach(async () => stack?.stop());

  async function start(watch: Watch) {
    stack = await startTestStack({
      // 50 events: a hop every few steps (each step counts 11)
      env: { MAX_EXECUTION_EVENTS: '50' },
      sim: { masters: 3, workers: WORKERS, workload: 'none', upgradeMs: 20, rescheduleMs: 10 },
      wrapHandlers: watching(watch),
    });
    return stack;
  }

  it('crosses several executions and succeeds, every node upgraded once, the ramp unmoved by the hops, a pause sent during a hop honoured', async () => {
    // Arrange: the second hop brings a pause, sent after the step started the next execution and before that one runs
    const watch: Watch = { calls: [], hops: 0 };
    const s = await start(watch);
    let pause: Promise<unknown> | undefined;
    watch.onHop = () => {
      // the first hop once two worker batches have run: sent as the next execution starts
      if (pause || watch.calls.filter((c) => c.fn === 'NodeBatch').length < 8) return;
      pause = pauseUpgrade(s.controls, s.clusterId, 'upg-long');
    };

    // Act: start; it pauses at the hop; resume; it ends
    await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-long', targetVersion: target });
    const paused = await s.waitForUpgrade('upg-long', (u) => u.status !== 'running' && u.status !== 'pausing', 60_000);
    const hopsBeforeResume = watch.hops;
    await resumeUpgrade(s.controls, s.clusterId, 'upg-long');
    const done = await s.waitForUpgrade('upg-long', (u) => u.status === 'succeeded' || u.status === 'failed' || u.status === 'paused', 120_000);

    // Assess: the pause came during a hop and held; then the upgrade succeeded
    await expect(pause).resolves.toMatchObject({ status: 'pausing' });
    expect(paused.status).toBe('paused');
    expect(done.status).toBe('succeeded');
    // several executions, each continuation named after the one it continues, announced by an event
    const events = await listEvents(s.db, done.id);
    const continued = events.filter((e) => e.type === 'ExecutionContinued');
    expect(continued.length).toBe(watch.hops);
    expect(watch.hops).toBeGreaterThanOrEqual(3);
    expect(hopsBeforeResume).toBeGreaterThanOrEqual(2);
    const executions = new Set(watch.calls.map((c) => c.execution));
    expect(executions.size).toBe(watch.hops + 2);
    expect([...executions].filter((n) => /-c\d+$/.test(n!)).length).toBe(watch.hops);
    expect(done.continuations).toBe(watch.hops);
    // every node upgraded exactly once, by the simulator's count of upgrade Jobs that ran on it
    const nodes = await s.driver.listNodes();
    expect(Object.fromEntries(nodes.map((n) => [n.name, s.sim.upgradesPerNode()[n.name]]))).toEqual(Object.fromEntries(nodes.map((n) => [n.name, 1])));
    expect(nodes.filter((n) => n.kubeletVersion !== `v${target}` && n.kubeletVersion !== target)).toEqual([]);
    expect(nodes.filter((n) => n.unschedulable)).toEqual([]);
    // the hops never moved the ramp: the executions count is the start and the resume, and only the resume restarted at 1
    expect(done.executions).toBe(2);
    const workers = (await listBatches(s.db, done.id)).filter((b) => b.kind === 'worker');
    const byExecution = [1, 2].map((x) => workers.filter((b) => b.execution === x).map((b) => b.nodes.length));
    expect(byExecution[0]!.length).toBeGreaterThanOrEqual(2);
    expect(byExecution[0]).toEqual(ramp(byExecution[0]!.length));
    expect(byExecution[1]!.slice(0, -1)).toEqual(ramp(byExecution[1]!.length - 1));
    expect(byExecution.flat().reduce((a, b) => a + b, 0)).toBe(WORKERS);
    // never two executions inside a Task for this upgrade; each execution's Begin entered it once (others only polled)
    expect(overlaps(watch.calls, done.id)).toEqual([]);
    expect(watch.calls.filter((c) => c.fn === 'Begin' && !c.polled).map((c) => c.execution)).toEqual([...executions]);
  }, 180_000);

  it('is cancelled across a hop: paused during one, then cancelled, every node schedulable again', async () => {
    const watch: Watch = { calls: [], hops: 0 };
    const s = await start(watch);
    watch.onHop = (hop) => {
      if (hop === 1) void pauseUpgrade(s.controls, s.clusterId, 'upg-cut');
    };

    await startUpgrade(s.controls, { clusterId: s.clusterId, upgradeId: 'upg-cut', targetVersion: target });
    const paused = await s.waitForUpgrade('upg-cut', (u) => u.status !== 'running' && u.status !== 'pausing', 60_000);
    await cancelUpgrade(s.controls, s.clusterId, 'upg-cut');
    const done = await s.waitForUpgrade('upg-cut', (u) => u.status === 'cancelled' || u.status === 'failed', 60_000);

    expect(paused.status).toBe('paused');
    expect(done.status).toBe('cancelled');
    expect((await s.driver.listNodes()).filter((n) => n.unschedulable)).toEqual([]);
    expect(Object.values(s.sim.upgradesPerNode()).filter((n) => n !== 1)).toEqual([]);
    expect(overlaps(watch.calls, done.id)).toEqual([]);
  }, 120_000);

  it('takes a hop retried after its start went through (ExecutionAlreadyExists, same input) as done: one next execution', async () => {
    const s = await start({ calls: [], hops: 0 });
    const u = await createUpgrade(s.db, { clusterId: s.clusterId, upgradeId: 'upg-retry', targetVersion: target, now: new Date().toISOString() });

    const first = await continueInNewExecution(s.ctx, { clusterId: s.clusterId, upgradeId: u.id }, 'upg-retry', 60);
    const retried = await continueInNewExecution(s.ctx, { clusterId: s.clusterId, upgradeId: u.id }, 'upg-retry', 60);

    expect([first.status, first.stop, retried.status, retried.stop]).toEqual(['continued', true, 'continued', true]);
    expect(s.workflow.running().filter((n) => n.startsWith('upg-retry'))).toEqual(['upg-retry-c1']);
    // the hop is told once, by the write of the next execution's Begin that enters it; that Begin retried tells it no more
    const told = async () => (await listEvents(s.db, u.id)).filter((e) => e.type === 'ExecutionContinued');
    await eventually(async () => (await told()).length > 0, 'the continuation told');
    const retriedBegin = {
      input: { clusterId: s.clusterId, upgradeId: u.id, continuesFrom: 'upg-retry', continuedAfterEvents: 60 },
      executionName: 'upg-retry-c1',
    };
    await runBegin(s.ctx, retriedBegin);
    expect((await told()).map((e) => e.message)).toEqual(['execution upg-retry counted 60 history events: the upgrade goes on in execution upg-retry-c1']);
  });
});
