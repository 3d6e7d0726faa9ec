import * as z from 'zod';
import { InvalidRequestError, KupgradeError } from '../domain/errors.js';
import { enterExecution } from '../domain/executionHistory.js';
import { markStarted } from '../domain/upgradeLifecycle.js';
import type { Upgrade, UpgradeEvent } from '../domain/upgrade.js';
import type { Db } from '../store/db.js';
import { listEvents } from '../store/events.js';
import { requireUpgrade, updateUpgrade, updateUpgradeRecording } from '../store/upgrades.js';
import { createUpgrade } from '../upgrades/createUpgrade.js';
import type { PhaseContext, StepState } from './context.js';
import { recordEvents } from './recordEvents.js';
import { stepState } from './stepState.js';

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Begin's input: the execution input (API: ids; by hand: cluster and target) and the execution's name. */
const BeginInputSchema = z.object({
  input: z.union([
    z
      .object({
        clusterId: z.string().regex(ID),
        upgradeId: z.string().regex(ID),
        /** set by the step that started this execution to go on with a long upgrade */
        continuesFrom: z.string().min(1).optional(),
        /** the history events the execution it continues from counted, for the event that tells the hop */
        continuedAfterEvents: z.number().int().nonnegative().optional(),
        /** set by this Begin when it found another execution still running the upgrade (it polls) */
        awaitingSince: z.string().optional(),
      })
      .loose(),
    z.object({ clusterId: z.string().regex(ID), targetVersion: z.string().min(1) }).strict(),
  ]),
  executionName: z.string().min(1),
});

/** An execution started by hand becomes an upgrade whose id derives from the execution name, so a redrive never makes two. */
export function upgradeIdFromExecution(name: string): string {
  return `upg-${name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');
}

/**
 * Enters an upgrade at its stored phase: a fresh one at precheck, a resumed
 * one where it stopped, a cancelled one at cleanup.
 */
export async function runBegin(ctx: PhaseContext, raw: unknown): Promise<StepState> {
  const parsed = BeginInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidRequestError(
      `bad execution input: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      'start the execution with {"clusterId": "...", "targetVersion": "1.31.2"}',
    );
  }
  const { input, executionName } = parsed.data;
  const now = ctx.now();
  if (!('upgradeId' in input)) {
    const created = await createUpgrade(ctx.db, {
      clusterId: input.clusterId,
      upgradeId: upgradeIdFromExecution(executionName),
      targetVersion: input.targetVersion,
      now,
    });
    const entered = await enter(ctx, created, { name: executionName }, now);
    return 'awaiting' in entered ? entered.awaiting : stepState(entered, ctx.config);
  }
  const found = await requireUpgrade(ctx.db, input.clusterId, input.upgradeId);
  const continues = input.continuesFrom ? { from: input.continuesFrom, afterEvents: input.continuedAfterEvents } : undefined;
  const entered = await enter(ctx, found, { name: executionName, continues, awaitingSince: input.awaitingSince }, now);
  if ('awaiting' in entered) {
    return { ...entered.awaiting, ...(continues ? { continuesFrom: continues.from, continuedAfterEvents: continues.afterEvents } : {}) };
  }
  let u = entered;
  if (u.status === 'scheduled') u = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => (cur.status === 'scheduled' ? markStarted(cur, now) : null));
  if (u.scheduledAt) await recordScheduledStart(ctx.db, u, now);
  if (u.cancelRequested && ['paused', 'pausing'].includes(u.status) && u.currentBatch === null && u.phase !== 'done') {
    u = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => (cur.phase === 'cleanup' ? null : { ...cur, phase: 'cleanup', updatedAt: now }));
  }
  return stepState(u, ctx.config);
}

/** How long a Begin polls for the execution the upgrade records to end before it gives up (it ends within seconds normally). */
const AWAIT_EXECUTION_SECONDS = 900;

type Awaiting = { awaiting: StepState & { awaitingExecution: string; awaitingSince: string } };

/**
 * Makes this execution the one that runs the upgrade. While the execution the
 * upgrade records may still be inside a step (a long upgrade's previous
 * execution, or a pausing step finishing after the pause was written and
 * resumed), this Begin polls instead: two executions never run one upgrade's
 * steps at once. The write is conditional on the execution it replaces, so of
 * two Begins one enters and the other polls behind it. A continuation's
 * entering write tells the hop, so a retried hop or Begin tells it once.
 */
async function enter(
  ctx: PhaseContext,
  u: Upgrade,
  me: { name: string; continues?: { from: string; afterEvents?: number }; awaitingSince?: string },
  now: string,
): Promise<Upgrade | Awaiting> {
  const previous = u.execution;
  const previousRunning = previous !== undefined && previous !== me.name && (await workflowOf(ctx).executionStatus(previous)) === 'RUNNING';
  const entry = enterExecution(u, { name: me.name, continues: !!me.continues }, previousRunning);
  if (entry.kind === 'go') return u;
  if (entry.kind === 'wait') {
    const since = me.awaitingSince ?? now;
    if (Date.parse(now) - Date.parse(since) > AWAIT_EXECUTION_SECONDS * 1000) {
      throw new KupgradeError('ExecutionStillRunning', {
        message: `execution ${entry.previous} still runs upgrade ${u.id} after ${AWAIT_EXECUTION_SECONDS} s; execution ${me.name} did not start a second one beside it`,
        remedy: `look at execution ${entry.previous} in the Step Functions console; stop it if it is stuck, then resume the upgrade`,
      });
    }
    return {
      awaiting: {
        ...stepState(u, ctx.config),
        stop: false,
        wait: true,
        pollSeconds: Math.min(ctx.config.pollSeconds, 2),
        awaitingExecution: entry.previous,
        awaitingSince: since,
      },
    };
  }
  const hop = me.continues;
  const events: UpgradeEvent[] = hop
    ? [
        {
          at: now,
          type: 'ExecutionContinued',
          message: `execution ${hop.from}${hop.afterEvents === undefined ? '' : ` counted ${hop.afterEvents} history events`}: the upgrade goes on in execution ${me.name}`,
        },
      ]
    : [];
  const saved = await updateUpgradeRecording(ctx.db, u.clusterId, u.id, (cur) =>
    cur.execution === previous ? { upgrade: { ...cur, execution: entry.execution, continuations: entry.continuations, updatedAt: now }, events } : null,
  );
  if (saved.execution !== me.name) return enter(ctx, saved, me, now);
  return saved;
}

function workflowOf(ctx: PhaseContext) {
  if (!ctx.workflow) throw new Error('this function cannot read executions: STATE_MACHINE_ARN is not set');
  return ctx.workflow;
}

const SCHEDULED_START = 'UpgradeStarted';

/**
 * The scheduled → running change writes its event like every status change.
 * The event is written after the status; a Begin that crashed in between is
 * repaired by the next one, which finds the upgrade started in precheck with
 * no such event yet.
 */
async function recordScheduledStart(db: Db, u: Upgrade, now: string): Promise<void> {
  if (u.phase !== 'precheck' || !['running', 'pausing'].includes(u.status)) return;
  if ((await listEvents(db, u.id)).some((e) => e.type === SCHEDULED_START)) return;
  await recordEvents(db, u, [{ at: now, type: SCHEDULED_START, message: `scheduled upgrade started at its time (${u.scheduledAt})` }]);
}
