import type { ClusterDriver, UpgradeJobSpec, UpgradeRecipe } from '../kube/clusterDriver.js';
import { upgradeJobName } from '../kube/labels.js';
import { judgeDrain } from '../domain/drain.js';
import { KupgradeError } from '../domain/errors.js';
import { judgeNodeUpgrade, leaveItOut, type NodeUpgradeSeen } from '../domain/nodeUpgradeTimeout.js';
import { isNodeSettled, type NodeProgress } from '../domain/upgrade.js';
import { UPGRADE_NAMESPACE } from '../domain/clusterMarks.js';
import { carryWait, drainWait, jobWait, readyWait, type WaitSeen } from '../domain/nodeWait.js';
import { sameVersion } from '../domain/versions.js';
import { judgePreviousAttempt, PREVIOUS_ATTEMPT_RUNNING } from '../domain/previousAttempt.js';
import type { UpgradeEvent } from '../domain/upgrade.js';

export interface NodeStepContext {
  driver: ClusterDriver;
  upgradeId: string;
  targetVersion: string;
  recipe?: UpgradeRecipe;
  /** the batch number: a node's Job name changes with it, so a retried node gets a fresh Job */
  attempt: number;
  now: string;
  drainTimeoutSeconds: number;
  /** how long a node may take from the start of its Job to Ready at the target */
  nodeUpgradeTimeoutSeconds: number;
  /** a pause was requested: nodes not yet started are not started (and a cordon an interrupted step left on them is undone) */
  holdNewNodes: boolean;
  /** whether a cordon another kupgrade upgrade left may be taken over */
  mayAdopt?: (holder: string) => Promise<boolean>;
}

export interface NodeStepOutcome {
  /** the last step the node reached, even when a later step threw */
  node: NodeProgress;
  events: UpgradeEvent[];
  /** what stopped the node, named after it; the caller saves the progress before it raises this */
  error?: KupgradeError;
}

/**
 * Moves one node forward: cordon → drain → upgrade Job → verify → uncordon.
 * It goes on as long as nothing needs waiting for, and every step is safe to
 * repeat: the cordon carries this upgrade's id, the Job name is fixed for the
 * attempt, and verification only reads.
 */
export async function advanceNode(ctx: NodeStepContext, start: NodeProgress): Promise<NodeStepOutcome> {
  // A node followed from before jobStartedAt existed (or recovered by the error path) gets its deadline from now.
  let node = (start.step === 'upgrading' || start.step === 'verifying') && !start.jobStartedAt ? { ...start, jobStartedAt: ctx.now } : start;
  const events: UpgradeEvent[] = [];
  const emit = (type: string, message: string) => events.push({ at: ctx.now, type, message, node: node.name });
  let seen: WaitSeen | undefined;
  try {
    for (let guard = 0; guard < 5; guard++) {
      const out = await stepOnce(ctx, node, emit);
      if ('wait' in out) {
        seen = out.wait;
        break;
      }
      node = { ...out.next, since: out.next.step === node.step ? (node.since ?? ctx.now) : ctx.now };
    }
  } catch (err) {
    // Keep what this node reached (a cordon, a started Job): losing it would leave the node cordoned with no record of why.
    return { node, events, error: nodeError(node.name, err) };
  }
  const { waitingFor: _was, ...moved } = node;
  const carried = carryWait(start.waitingFor, isNodeSettled(node.step) ? undefined : seen, { now: ctx.now, node: node.name });
  events.push(...carried.events);
  return { node: carried.waitingFor ? { ...moved, waitingFor: carried.waitingFor } : moved, events };
}

/** The same reason (so the state machine's Retry and Catch still match), with the node named. */
function nodeError(node: string, err: unknown): KupgradeError {
  const known = err instanceof KupgradeError ? err : undefined;
  return new KupgradeError(known?.reason ?? 'NodeStepFailed', {
    message: `node ${node}: ${(err as Error)?.message ?? String(err)}`,
    remedy: known?.remedy ?? `look at node ${node} and the cluster's API server, then resume`,
    node,
    cause: err,
  });
}

type Emit = (type: string, message: string) => void;

/** The node's upgrade Job: the same spec whether it is started or started again after someone deleted it. */
const upgradeJobOf = (ctx: NodeStepContext, node: NodeProgress): UpgradeJobSpec => ({
  upgradeId: ctx.upgradeId,
  node: node.name,
  role: node.role,
  targetVersion: ctx.targetVersion,
  recipe: ctx.recipe,
  attempt: ctx.attempt,
});
/** One step: the node moved on, or it waits (for what, when it is worth showing). */
type Step = { next: NodeProgress } | { wait: WaitSeen | undefined };

async function stepOnce(ctx: NodeStepContext, node: NodeProgress, emit: Emit): Promise<Step> {
  const { driver } = ctx;
  switch (node.step) {
    case 'pending': {
      if (ctx.holdNewNodes) return { next: await holdNode(ctx, node, emit) };
      const { cordonedByUs, adoptedFrom, heldBy } = await driver.cordon(node.name, ctx.upgradeId, ctx.mayAdopt);
      emit(
        'NodeCordoned',
        adoptedFrom
          ? `node ${node.name} was left cordoned by the ended upgrade ${adoptedFrom}; this upgrade takes that cordon over and uncordons the node once it is upgraded`
          : heldBy
            ? `node ${node.name} is cordoned by upgrade ${heldBy}, which kupgrade does not know to have ended; it is upgraded and left cordoned, as an operator's cordon`
            : cordonedByUs
              ? `node ${node.name} cordoned`
              : `node ${node.name} was already cordoned by an operator; it stays cordoned after its upgrade`,
      );
      return { next: { ...node, step: 'draining', cordonedByUs, drainStartedAt: ctx.now } };
    }
    case 'draining': {
      const pass = await driver.drain(node.name);
      const verdict = judgeDrain({
        ...pass,
        startedAt: node.drainStartedAt ?? ctx.now,
        now: ctx.now,
        timeoutSeconds: ctx.drainTimeoutSeconds,
        node: node.name,
      });
      if (verdict.kind === 'wait') {
        return { wait: drainWait({ ...pass, node: node.name, startedAt: node.drainStartedAt ?? ctx.now, timeoutSeconds: ctx.drainTimeoutSeconds }) };
      }
      if (verdict.kind === 'timeout') {
        // Nothing on the node changed yet: give it back to the scheduler (unless an earlier attempt failed on it: it may be broken).
        if (node.cordonedByUs && !node.heldBefore) await driver.uncordon(node.name, ctx.upgradeId);
        emit('NodeFailed', verdict.message);
        return { next: { ...node, step: 'failed', error: { reason: 'DrainTimeout', message: verdict.message, remedy: verdict.remedy, node: node.name } } };
      }
      // an earlier attempt's Job still running on the node is waited for, never run beside (src/domain/previousAttempt.ts)
      const ownJob = upgradeJobName(ctx.upgradeId, node.name, ctx.attempt);
      const previous = judgePreviousAttempt({
        node: node.name,
        activeJobs: await driver.activeUpgradeJobs(node.name),
        ownJob,
        waiting: node.waitingFor,
        now: ctx.now,
        timeoutSeconds: ctx.nodeUpgradeTimeoutSeconds,
      });
      if (previous.kind === 'wait') return { wait: previous.seen };
      if (previous.kind === 'timeout') {
        emit('NodeFailed', previous.message);
        return {
          next: { ...node, step: 'failed', error: { reason: PREVIOUS_ATTEMPT_RUNNING, message: previous.message, remedy: previous.remedy, node: node.name } },
        };
      }
      const job = await driver.ensureUpgradeJob(upgradeJobOf(ctx, node));
      // told together once the Job exists: a stored `draining` then means the cordon was told and neither of these
      // (so the error path, finding the Job, tells both: untoldBeforeJob)
      emit('NodeDrained', `node ${node.name} drained`);
      emit('JobStarted', `upgrade job ${job.name} started on node ${node.name}`);
      return { next: { ...node, step: 'upgrading', jobName: job.name, jobStartedAt: ctx.now } };
    }
    case 'upgrading': {
      const job = await driver.upgradeJobStatus(ctx.upgradeId, node.name, ctx.attempt);
      if (job.phase === 'succeeded')
        return { next: { ...node, step: 'verifying', jobName: job.name, ...(job.ranSeconds !== undefined ? { jobSeconds: job.ranSeconds } : {}) } };
      if (job.phase === 'failed') {
        const message = `upgrade job ${job.name} failed on node ${node.name}${job.message ? `: ${job.message}` : ''}`;
        emit('NodeFailed', `${message}; the node stays cordoned`);
        return {
          next: {
            ...node,
            step: 'failed',
            error: {
              reason: 'UpgradeJobFailed',
              message,
              node: node.name,
              remedy: `read the logs of job ${job.name} (kubectl -n ${UPGRADE_NAMESPACE} logs job/${job.name}), repair node ${node.name}, then resume the upgrade; ${leaveItOut(node.name)}`,
            },
          },
        };
      }
      const timedOut = pastDeadline(ctx, node, job.name, { step: 'upgrading', job: job.phase }, emit);
      if (timedOut) return { next: timedOut };
      if (job.phase === 'absent') {
        // Someone deleted the Job before it finished: start it again rather than wait forever.
        await driver.ensureUpgradeJob(upgradeJobOf(ctx, node));
      }
      const pending = job.phase === 'absent' || job.pending === true;
      return {
        wait: jobWait({
          node: node.name,
          namespace: UPGRADE_NAMESPACE,
          job: job.name,
          pending,
          jobStartedAt: node.jobStartedAt ?? ctx.now,
          timeoutSeconds: ctx.nodeUpgradeTimeoutSeconds,
        }),
      };
    }
    case 'verifying': {
      const info = await driver.getNode(node.name);
      if (!info.ready || !sameVersion(info.kubeletVersion, ctx.targetVersion)) {
        const jobName = node.jobName ?? upgradeJobName(ctx.upgradeId, node.name, ctx.attempt);
        const timedOut = pastDeadline(ctx, node, jobName, { step: 'verifying', ready: info.ready, kubeletVersion: info.kubeletVersion }, emit);
        if (timedOut) return { next: timedOut };
        return {
          wait: readyWait({
            node: node.name,
            ready: info.ready,
            kubeletVersion: info.kubeletVersion,
            target: ctx.targetVersion,
            jobStartedAt: node.jobStartedAt ?? ctx.now,
            timeoutSeconds: ctx.nodeUpgradeTimeoutSeconds,
          }),
        };
      }
      emit('NodeUpgraded', `node ${node.name} runs kubelet ${info.kubeletVersion} and is Ready`);
      if (node.cordonedByUs) {
        await driver.uncordon(node.name, ctx.upgradeId);
        emit('NodeUncordoned', `node ${node.name} uncordoned`);
      }
      return { next: { ...node, step: 'done' } };
    }
    default:
      return { wait: undefined };
  }
}

/**
 * Settles a node stored as not yet at its upgrade Job. The stored step can
 * lag the cluster by one call (a step whose cordon or Job went through before
 * it failed to answer, a crash before the batch was saved), so ask the
 * cluster: a node whose Job exists has started, keeps its cordon and is
 * followed as upgrading; any other is given back, and the cordon annotation
 * lets uncordon touch only this upgrade's own cordon.
 */
export async function settleUnstartedNode(
  driver: ClusterDriver,
  args: { upgradeId: string; attempt: number; node: NodeProgress; now: string },
): Promise<{ inFlight: true; node: NodeProgress; untold: Told[] } | { inFlight: false; uncordoned: boolean }> {
  const { node } = args;
  const job = await driver.upgradeJobStatus(args.upgradeId, node.name, args.attempt);
  // a node an earlier attempt failed on stays cordoned until an upgrade of it succeeds
  if (job.phase === 'absent') return { inFlight: false, uncordoned: !node.heldBefore && (await driver.uncordon(node.name, args.upgradeId)) };
  // cordon is idempotent and says whose cordon it is; a node with a Job on it must stay cordoned
  const { cordonedByUs } = await driver.cordon(node.name, args.upgradeId);
  return {
    inFlight: true,
    node: { ...node, step: 'upgrading', cordonedByUs, jobName: job.name, jobStartedAt: node.jobStartedAt ?? args.now },
    untold: untoldBeforeJob(node, job.name),
  };
}

type Told = { type: string; message: string };

/**
 * A node found with its Job while its record says it had not got that far:
 * a step cordoned, drained and started it, then was cut short before its
 * write, which carried those events. They are told now, as found.
 */
function untoldBeforeJob(node: NodeProgress, jobName: string): Told[] {
  const found = `(found so after an interrupted step)`;
  return [
    ...(node.step === 'pending' ? [{ type: 'NodeCordoned', message: `node ${node.name} cordoned ${found}` }] : []),
    { type: 'NodeDrained', message: `node ${node.name} drained ${found}` },
    { type: 'JobStarted', message: `upgrade job ${jobName} started on node ${node.name} ${found}` },
  ];
}

/** A pause or cancel holds the nodes not yet started: one already in its upgrade finishes, any other is skipped. */
async function holdNode(ctx: NodeStepContext, node: NodeProgress, emit: Emit): Promise<NodeProgress> {
  const settled = await settleUnstartedNode(ctx.driver, { upgradeId: ctx.upgradeId, attempt: ctx.attempt, node, now: ctx.now });
  if (settled.inFlight) {
    for (const told of settled.untold) emit(told.type, told.message);
    emit('NodeInFlight', `node ${node.name} had started before the pause (upgrade job ${settled.node.jobName}); it finishes its upgrade`);
    return settled.node;
  }
  if (settled.uncordoned) emit('NodeUncordoned', `node ${node.name} uncordoned: an interrupted step had cordoned it`);
  emit('NodeSkipped', `node ${node.name} not started: a pause was requested`);
  return { ...node, step: 'skipped', cordonedByUs: false };
}

/** The node fails once its upgrade has run past the node-upgrade timeout; it stays cordoned, like a node whose Job failed. */
function pastDeadline(ctx: NodeStepContext, node: NodeProgress, jobName: string, seen: NodeUpgradeSeen, emit: Emit): NodeProgress | null {
  const verdict = judgeNodeUpgrade({
    node: node.name,
    jobName,
    targetVersion: ctx.targetVersion,
    jobStartedAt: node.jobStartedAt ?? ctx.now,
    now: ctx.now,
    timeoutSeconds: ctx.nodeUpgradeTimeoutSeconds,
    seen,
  });
  if (verdict.kind === 'wait') return null;
  emit('NodeFailed', verdict.message);
  return { ...node, step: 'failed', error: { reason: 'NodeUpgradeTimeout', message: verdict.message, remedy: verdict.remedy, node: node.name } };
}
