import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig } from '../config.js';
import type { Notifier } from '../notify/notifier.js';
import { missingAdapter } from '../shared/missingAdapter.js';
import { createDbWithStatusEffects } from '../upgrades/statusEffects.js';
import type { PhaseContext, StepState } from './context.js';
import { toTaskError } from './taskError.js';
import { continueInNewExecution } from './continueExecution.js';
import { EVENTS_PER_STEP } from '../domain/executionHistory.js';
import type { PhaseWorkflow } from '../workflow/workflowPort.js';

export const logger = new Logger({ serviceName: 'kupgrade' });

let cached: PhaseContext | undefined;

/** How a function reaches a cluster: src/phases/kubernetesDrivers.ts, given by the functions that do. */
export type DriverFactory = PhaseContext['driverFor'];

/** In the functions that reach no cluster (Begin): their bundles leave out the Kubernetes client, their roles the kubeconfigs. */
const noDrivers: DriverFactory = () => Promise.reject(new Error('this function reaches no cluster: its handler is built without drivers'));

/**
 * The adapters a function is built with, as its role grants the services
 * (functions/*): a bundle holds @kubernetes/client-node and each AWS SDK
 * client only if its function imports it (test/integration/packaging.test.ts
 * holds the clients to the grants).
 */
export interface PhaseAdapters {
  /** src/phases/kubernetesDrivers.ts, for the functions that reach clusters */
  drivers?: DriverFactory;
  /** EventBridgeNotifier, for the functions that publish status changes */
  notifier?: new (busName: string) => Notifier;
  /** StepFunctionsWorkflow, for the functions that start or read executions */
  workflow?: new (stateMachineArn: string) => PhaseWorkflow;
}

/** Built once per cold start from the environment; the local stack sets the same variables. */
export function phaseContext(adapters: PhaseAdapters = {}): PhaseContext {
  if (cached) return cached;
  const config = loadConfig();
  const notifier = adapters.notifier ? new adapters.notifier(config.eventBusName) : undefined;
  // a function without EventBridge keeps a status change in its outbox, logged, as a refused PutEvents would
  const db = createDbWithStatusEffects(
    { table: config.tableName, endpoint: config.dynamodbEndpoint },
    notifier ?? missingAdapter<Notifier>('EventBridge client'),
  );
  cached = {
    config,
    db,
    ...(notifier ? { notifier } : {}),
    driverFor: adapters.drivers ?? noDrivers,
    now: () => new Date().toISOString(),
    ...(config.stateMachineArn && adapters.workflow ? { workflow: new adapters.workflow(config.stateMachineArn) } : {}),
  };
  return cached;
}

/** Tests and the local stack may swap the context (another table, a fake clock). */
export function setPhaseContext(ctx: PhaseContext | undefined): void {
  cached = ctx;
}

/** The history counted so far, wherever the step's input carries it (OnError gets the failed step's state as `input`). */
function historyOf(event: unknown): number {
  const e = event as { historyEvents?: unknown; input?: { historyEvents?: unknown } } | undefined;
  const n = e?.historyEvents ?? e?.input?.historyEvents;
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

/**
 * Wraps a phase step as a Lambda handler: one log line per step (at debug),
 * errors logged then rethrown for the Catch, and the execution's history
 * counted in its state: a step that finds it full continues the upgrade in a
 * new execution instead of running (`continues: true` for the steps that can);
 * the adapters are the function's (PhaseAdapters).
 */
export function phaseHandler(
  phase: string,
  run: (ctx: PhaseContext, event: unknown) => Promise<StepState>,
  options: { continues?: boolean } & PhaseAdapters = {},
) {
  return async (event: unknown): Promise<StepState> => {
    const ids = event as { clusterId?: string; upgradeId?: string; executionName?: string };
    logger.appendKeys({ phase, clusterId: ids?.clusterId, upgradeId: ids?.upgradeId });
    try {
      const ctx = phaseContext(options);
      const history = historyOf(event);
      const full = options.continues && ids.executionName && ids.clusterId && ids.upgradeId && history >= ctx.config.maxExecutionEvents;
      const out = full
        ? await continueInNewExecution(ctx, { clusterId: ids.clusterId!, upgradeId: ids.upgradeId! }, ids.executionName!, history)
        : await run(ctx, event);
      // a line per step (every poll) at debug; the state changes are the notifications
      logger.debug('step done', { status: out.status, next: out.phase, wait: out.wait, stop: out.stop, historyEvents: history });
      return { ...out, historyEvents: history + EVENTS_PER_STEP, maxHistoryEvents: ctx.config.maxExecutionEvents };
    } catch (err) {
      logger.error('step failed', err as Error);
      throw toTaskError(err);
    } finally {
      logger.resetKeys();
    }
  };
}
