import { planRemainingBatches, selectNextBatch } from './batchPlan.js';
import { ANNOTATION_CORDONED_BY } from './clusterMarks.js';
import type { NodeInfo } from './clusterSnapshot.js';
import { firstHold, type GateHold } from './gates.js';
import type { MaintenanceWindow } from './maintenanceWindow.js';
import { stopFor } from './precedence.js';
import type { Batch, NodeProgress, PlanSummary, Upgrade, UpgradeError, UpgradeEvent, UpgradePlan, UpgradeWait } from './upgrade.js';
import { markPaused, masterJobRole } from './upgradeLifecycle.js';
import { assertPhase } from './upgradeStatus.js';
import {
  findValidationProblems,
  judgeValidation,
  nextValidationLookSeconds,
  workloadBaseline,
  type ClusterObservation,
  type ValidationState,
} from './validation.js';
import { sameVersion } from './versions.js';

/**
 * The decision between two batches (or two masters), as a pure function:
 * the upgrade, what was observed of the cluster, and the settings in; one
 * intent out. The phase step then makes the intent's one conditional write,
 * records its events and, for a new batch, acts on the cluster.
 *
 * In order: a cancel or a pause request (see precedence.ts; neither needs a
 * look at the cluster), the validation of the last batch, the end of the
 * phase, the gates, and the next batch.
 */
interface BoundarySettings {
  pollSeconds: number;
  soakSeconds: number;
  validationTimeoutSeconds: number;
  expirySeconds: number;
}

export interface BoundaryObservation {
  nodes: readonly NodeInfo[];
  /** ReplicaSets below their desired count now */
  workloadGaps: ClusterObservation['workloadGaps'];
  /** the batch the pending validation is about (undefined when there is none, or its item is gone) */
  validatedBatch?: Pick<Batch, 'kind' | 'index' | 'nodes' | 'notReadyBefore' | 'workloadsShortBefore'>;
  /** masters this upgrade has brought to the target so far (kubeadm `upgrade apply` runs on the first only) */
  mastersFinished: number;
}

export interface BoundaryInput {
  upgrade: Upgrade;
  kind: 'master' | 'worker';
  now: string;
  settings: BoundarySettings;
  maintenanceWindow?: MaintenanceWindow;
  /** absent until the decision asks for it ({ kind: 'observe' }) */
  observation?: BoundaryObservation;
}

/** The progress recounted from the cluster itself at this boundary, and the plan of what has not started (the step stores its pages). */
interface Recount {
  masters: Upgrade['masters'];
  nodes: Upgrade['nodes'];
  plan: UpgradePlan;
}

/** The batch to record before any of its nodes is touched. */
type NewBatch = Omit<Batch, 'version' | 'status' | 'startedAt'>;

export type BoundaryIntent =
  /** the decision needs a look at the cluster first */
  | { kind: 'observe' }
  /** a cancel: on to cleanup */
  | { kind: 'cleanup'; events: UpgradeEvent[] }
  /** a pause request, or a failure (validation, a gate that held too long) */
  | { kind: 'pause'; error?: UpgradeError; events: UpgradeEvent[] }
  /** poll again; `set` is what to store about the wait, when it changed */
  | { kind: 'wait'; pollSeconds?: number; set?: Pick<Upgrade, 'validation' | 'waitingFor'> | Pick<Upgrade, 'waitingFor'>; events: UpgradeEvent[] }
  | { kind: 'phaseDone'; next: 'nodes' | 'cleanup'; recount: Recount; events: UpgradeEvent[] }
  | { kind: 'startBatch'; batch: NewBatch; recount: Recount; events: UpgradeEvent[] };

/**
 * A node kupgrade cordoned and has not given back: its Job failed or it never
 * came back Ready, possibly after its kubelet reached the target. It is still
 * to do (its cordon is taken over, its upgrade run again, then it is
 * uncordoned); judged by version alone it would be passed over and stay cordoned.
 */
const heldByKupgrade = (n: Pick<NodeInfo, 'unschedulable' | 'annotations'>) => n.unschedulable && n.annotations[ANNOTATION_CORDONED_BY] !== undefined;
/** Whether a node is still to upgrade: not at the target, or held by kupgrade (the drain forecast judges by it too). */
export const toDo = (n: Pick<NodeInfo, 'kubeletVersion' | 'unschedulable' | 'annotations'>, target: string) =>
  !sameVersion(n.kubeletVersion, target) || heldByKupgrade(n);

/** Longest wait between two looks at a closed window: keeps an execution's history short over a long wait. */
const MAX_WINDOW_POLL_SECONDS = 3600;

export function decideBoundary(input: BoundaryInput): BoundaryIntent {
  const { upgrade: u, now } = input;
  const stop = stopFor(u);
  if (stop.kind === 'cancel') return { kind: 'cleanup', events: [{ at: now, type: 'PhaseStarted', message: 'phase cleanup started' }] };
  if (stop.kind === 'pause')
    return { kind: 'pause', events: [{ at: now, type: 'UpgradePaused', message: `upgrade paused in phase ${u.phase} at the request of a user` }] };
  const obs = input.observation;
  if (!obs) return { kind: 'observe' };

  const events: UpgradeEvent[] = [];
  if (u.validation) {
    const label = obs.validatedBatch ? batchLabel(obs.validatedBatch) : `batch ${u.validation.batch}`;
    const verdict = validate(u, u.validation, obs, input);
    if (verdict.kind === 'wait')
      return {
        kind: 'wait',
        pollSeconds: nextValidationLookSeconds(verdict.state, { now, ...input.settings }),
        set: { validation: verdict.state, waitingFor: validationWait(verdict.state, label, input.settings) },
        events: [],
      };
    if (verdict.kind === 'failed') return failure(u, { reason: 'ValidationFailed', message: verdict.message, remedy: verdict.remedy }, now);
    // told when it first passes; a gate that then holds keeps the validation looking at every poll, untold again
    if (u.waitingFor?.gate === 'validation') events.push({ at: now, type: 'BatchValidated', message: `cluster healthy twice in a row after ${label}` });
  }

  const recount = recountFrom(u, obs, input.kind);
  const pending = obs.nodes.filter((n) => n.role === 'worker' && toDo(n, u.toVersion)).map((n) => n.name);
  let chosen: string[];
  let role: NodeProgress['role'] = 'worker';
  if (input.kind === 'master') {
    const byName = new Map(obs.nodes.filter((n) => n.role === 'master').map((m) => [m.name, m]));
    const next = u.masters.order.find((name) => {
      const m = byName.get(name);
      return m && toDo(m, u.toVersion);
    });
    if (!next) return { kind: 'phaseDone', next: 'nodes', recount, events: [...events, phaseStarted('nodes', now)] };
    role = masterJobRole({ fromVersion: u.fromVersion, toVersion: u.toVersion, mastersFinished: obs.mastersFinished });
    chosen = [next];
  } else {
    if (pending.length === 0) return { kind: 'phaseDone', next: 'cleanup', recount, events: [...events, phaseStarted('cleanup', now)] };
    chosen = selectNextBatch(planInputOf(u, pending));
  }

  const hold = firstHold({ upgrade: u, kind: input.kind, nextBatch: chosen, nodes: obs.nodes, maintenanceWindow: input.maintenanceWindow, now });
  if (hold) return held(u, hold, input, events);

  const heldNodes = new Set(obs.nodes.filter(heldByKupgrade).map((n) => n.name));
  const number = u.batchSeq + 1;
  const index = input.kind === 'master' ? u.masters.order.indexOf(chosen[0]!) + 1 : u.workerBatches + 1;
  const batch: NewBatch = {
    upgradeId: u.id,
    number,
    kind: input.kind,
    index,
    nodes: chosen.map((name) => ({ name, step: 'pending', role, ...(heldNodes.has(name) ? { heldBefore: true } : {}) })),
    notReadyBefore: obs.nodes.filter((n) => !n.ready).map((n) => n.name),
    workloadsShortBefore: workloadBaseline(obs.workloadGaps),
    execution: u.executions,
  };
  const what =
    input.kind === 'master'
      ? `master ${index} of ${u.masters.total} (${chosen[0]})`
      : `worker batch ${index} (${chosen.length} node${chosen.length === 1 ? '' : 's'}: ${chosen.join(', ')})`;
  return { kind: 'startBatch', batch, recount, events: [...events, { at: now, type: 'BatchStarted', message: `started ${what}` }] };
}

const phaseStarted = (phase: string, at: string): UpgradeEvent => ({ at, type: 'PhaseStarted', message: `phase ${phase} started` });

/** "worker batch 2", "master 1": how events and waits name a batch. */
const batchLabel = (b: Pick<Batch, 'kind' | 'index'>) => (b.kind === 'master' ? `master ${b.index}` : `worker batch ${b.index}`);

const plusSeconds = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

/** The upgrade waits on the validation of its last batch: unhealthy (until the timeout pauses it), or healthy once and soaking. */
function validationWait(state: ValidationState, label: string, settings: BoundarySettings): UpgradeWait {
  if (state.passes > 0) {
    return {
      gate: 'validation',
      reason: 'Soaking',
      message: `the cluster was healthy after ${label}; a second look ${settings.soakSeconds}s later must be too`,
      since: state.lastPassAt ?? state.since,
      until: plusSeconds(state.lastPassAt ?? state.since, settings.soakSeconds),
    };
  }
  return {
    gate: 'validation',
    reason: 'Validating',
    message: `after ${label}: ${(state.problems ?? []).slice(0, 5).join('; ') || 'looking at the cluster'}`,
    since: state.since,
    deadline: plusSeconds(state.since, settings.validationTimeoutSeconds),
  };
}

const planInputOf = (u: Upgrade, pending: string[]) => ({
  pending,
  retryFirst: u.retryFirst,
  workerCount: u.workerCount,
  rampIndex: u.rampIndex,
  seed: u.clusterId,
  targetVersion: u.toVersion,
});

function recountFrom(u: Upgrade, obs: BoundaryObservation, kind: 'master' | 'worker'): Recount {
  const masters = obs.nodes.filter((n) => n.role === 'master');
  const workers = obs.nodes.filter((n) => n.role === 'worker');
  const pending = workers.filter((n) => toDo(n, u.toVersion)).map((n) => n.name);
  const remaining = planRemainingBatches(planInputOf(u, pending));
  return {
    masters: { ...u.masters, upgraded: masters.filter((n) => !toDo(n, u.toVersion)).length },
    nodes: { ...u.nodes, upgraded: workers.filter((n) => !toDo(n, u.toVersion)).length },
    // The plan shows what has not started yet; a worker boundary is about to start remaining[0].
    plan: { masters: u.masters.order, batches: kind === 'worker' ? remaining.slice(1) : remaining },
  };
}

function validate(u: Upgrade, state: ValidationState, obs: BoundaryObservation, input: BoundaryInput) {
  const batch = obs.validatedBatch;
  const problems = findValidationProblems(
    { nodes: obs.nodes, workloadGaps: obs.workloadGaps },
    {
      upgraded: (batch?.nodes ?? []).filter((n) => n.step === 'done').map((n) => n.name),
      target: u.toVersion,
      notReadyBefore: batch?.notReadyBefore ?? [],
      workloadsShortBefore: batch?.workloadsShortBefore ?? [],
    },
  );
  return judgeValidation(state, problems, { now: input.now, soakSeconds: input.settings.soakSeconds, timeoutSeconds: input.settings.validationTimeoutSeconds });
}

/** A failure at a boundary pauses the upgrade with it, unless a cancel came first (then it was decided above). */
function failure(u: Upgrade, error: UpgradeError, now: string): BoundaryIntent {
  const stop = stopFor(u, error);
  if (stop.kind === 'cancel') return { kind: 'cleanup', events: [phaseStarted('cleanup', now)] };
  return { kind: 'pause', error, events: [{ at: now, type: 'UpgradePaused', message: `upgrade paused: ${error.message}` }] };
}

/** A gate holds: the wait is recorded when it begins (one event, not one per poll), and a hold with a timeout pauses once it runs out. */
function held(u: Upgrade, hold: GateHold, input: BoundaryInput, done: UpgradeEvent[]): BoundaryIntent {
  const { now, settings } = input;
  const same = u.waitingFor?.gate === hold.gate ? u.waitingFor : undefined;
  const since = same?.since ?? now;
  const deadline = hold.timeout === 'validation' ? new Date(Date.parse(since) + settings.validationTimeoutSeconds * 1000).toISOString() : undefined;
  if (deadline && Date.parse(now) >= Date.parse(deadline)) {
    return failure(
      u,
      {
        reason: hold.reason,
        message: `${hold.message} (for ${settings.validationTimeoutSeconds}s)`,
        remedy: holdRemedy(hold),
      },
      now,
    );
  }
  const untilOpen = hold.untilIso ? Math.ceil((Date.parse(hold.untilIso) - Date.parse(now)) / 1000) : undefined;
  const pollSeconds =
    hold.gate === 'maintenance-window' ? Math.max(settings.pollSeconds, Math.min(untilOpen ?? MAX_WINDOW_POLL_SECONDS, MAX_WINDOW_POLL_SECONDS)) : undefined;
  if (same) return { kind: 'wait', pollSeconds, events: done };
  const waitingFor: UpgradeWait = {
    gate: hold.gate,
    reason: hold.reason,
    message: hold.message,
    ...(hold.object ? { object: hold.object } : {}),
    since,
    ...(deadline ? { deadline } : {}),
    ...(hold.untilIso ? { until: hold.untilIso } : {}),
  };
  return { kind: 'wait', pollSeconds, set: { waitingFor }, events: [...done, { at: now, type: hold.eventType, message: hold.message }] };
}

function holdRemedy(hold: GateHold): string {
  if (hold.reason === 'NodeNotReady') {
    return `repair ${hold.object ?? 'the nodes named'} (kubectl describe ${hold.object ?? 'node'}) or remove it from the cluster, then resume the upgrade`;
  }
  return 'remove the cause named, then resume the upgrade';
}

/**
 * The one write an intent makes to the upgrade, from the freshest stored
 * item: the new item, or null when nothing is to be written (an intent that
 * was already applied, or a wait that changed nothing).
 */
export function applyBoundary(cur: Upgrade, intent: BoundaryIntent, args: { now: string; expirySeconds: number; planSummary?: PlanSummary }): Upgrade | null {
  const { now } = args;
  switch (intent.kind) {
    case 'observe':
      return null;
    case 'cleanup':
      return toPhase(cur, 'cleanup', undefined, now);
    case 'pause':
      return markPaused(cur, { now, expirySeconds: args.expirySeconds, ...(intent.error ? { error: intent.error } : {}) });
    case 'wait':
      return intent.set ? { ...cur, ...intent.set, updatedAt: now } : null;
    case 'phaseDone':
      return toPhase(cur, intent.next, intent.recount, now, args.planSummary);
    case 'startBatch': {
      // a retried step finds its batch already started
      if (cur.batchSeq >= intent.batch.number) return null;
      const { validation: _v, waitingFor: _f, ...rest } = cur;
      const { plan: _plan, ...recount } = intent.recount;
      return {
        ...rest,
        ...recount,
        ...(args.planSummary ? { planSummary: args.planSummary } : {}),
        batchSeq: intent.batch.number,
        currentBatch: intent.batch.number,
        workerBatches: intent.batch.kind === 'worker' ? cur.workerBatches + 1 : cur.workerBatches,
        masters: { ...intent.recount.masters, current: intent.batch.kind === 'master' ? intent.batch.index : null },
        updatedAt: now,
      };
    }
  }
}

function toPhase(cur: Upgrade, phase: 'nodes' | 'cleanup', recount: Recount | undefined, now: string, planSummary?: PlanSummary): Upgrade | null {
  if (cur.phase === phase) return null;
  assertPhase(cur.phase, phase);
  const { validation: _v, ...rest } = cur;
  const base = recount ? { ...rest, masters: recount.masters, nodes: recount.nodes, ...(planSummary ? { planSummary } : {}) } : rest;
  return { ...base, masters: { ...base.masters, current: null }, phase, updatedAt: now };
}
