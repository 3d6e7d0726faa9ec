import { z } from 'zod';
import { InvalidRequestError } from '../domain/errors.js';
import { startScheduled } from '../domain/upgradeLifecycle.js';
import type { Upgrade } from '../domain/upgrade.js';
import type { Db } from '../store/db.js';
import { listEvents } from '../store/events.js';
import { requireUpgrade, updateUpgrade } from '../store/upgrades.js';
import { startUpgrade } from '../upgrades/startUpgrade.js';
import type { PhaseContext, StepState } from './context.js';
import { recordEvents } from './recordEvents.js';
import { stepState } from './stepState.js';

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Begin's input: the execution input (API: ids; by hand: cluster and target) and the execution's name. */
export const BeginInputSchema = z.object({
  input: z.union([
    z.object({ clusterId: z.string().regex(ID), upgradeId: z.string().regex(ID) }).loose(),
    z.object({ clusterId: z.string().regex(ID), targetVersion: z.string().min(1) }).strict(),
  ]),
  executionName: z.string().min(1),
});
export type BeginInput = z.infer<typeof BeginInputSchema>;

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
    const u = await startUpgrade(ctx.db, { clusterId: input.clusterId, upgradeId: upgradeIdFromExecution(executionName), targetVersion: input.targetVersion, now });
    return stepState(u, ctx.config);
  }
  let u = await requireUpgrade(ctx.db, input.clusterId, input.upgradeId);
  if (u.status === 'scheduled') u = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => (cur.status === 'scheduled' ? startScheduled(cur, now) : null));
  if (u.scheduledAt) await recordScheduledStart(ctx.db, u, now);
  if (u.cancelRequested && ['paused', 'pausing'].includes(u.status) && u.currentBatch === null && u.phase !== 'done') {
    u = await updateUpgrade(ctx.db, u.clusterId, u.id, (cur) => (cur.phase === 'cleanup' ? null : { ...cur, phase: 'cleanup', updatedAt: now }));
  }
  return stepState(u, ctx.config);
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
