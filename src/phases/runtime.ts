import { Logger } from '@aws-lambda-powertools/logger';
import { createKubernetesDriver } from '../cluster/k8sDriver.js';
import { readKubeconfig } from '../cluster/kubeconfigSource.js';
import { loadConfig } from '../config.js';
import { createDb } from '../store/db.js';
import { EventBridgeNotifier } from '../notify/eventBridgeNotifier.js';
import { statusEffects } from '../upgrades/statusEffects.js';
import type { PhaseContext, StepState } from './context.js';
import { toTaskError } from './taskError.js';

export const logger = new Logger({ serviceName: 'kupgrade' });

let cached: PhaseContext | undefined;

/** Built once per cold start from the environment; the local stack sets the same variables. */
export function phaseContext(): PhaseContext {
  if (cached) return cached;
  const config = loadConfig();
  const db = createDb({ table: config.tableName, endpoint: config.dynamodbEndpoint });
  db.onUpgradeChange = statusEffects(db, new EventBridgeNotifier(config.eventBusName));
  cached = {
    config,
    db,
    driverFor: async (cluster) => createKubernetesDriver(await readKubeconfig(cluster.kubeconfigRef)),
    now: () => new Date().toISOString(),
  };
  return cached;
}

/** Tests and the local stack may swap the context (another table, a fake clock). */
export function setPhaseContext(ctx: PhaseContext | undefined): void {
  cached = ctx;
}

/** Wraps a phase step as a Lambda handler: one log line per step, errors logged then rethrown for the Catch. */
export function phaseHandler(phase: string, run: (ctx: PhaseContext, event: unknown) => Promise<StepState>) {
  return async (event: unknown): Promise<StepState> => {
    const ids = event as { clusterId?: string; upgradeId?: string };
    logger.appendKeys({ phase, clusterId: ids?.clusterId, upgradeId: ids?.upgradeId });
    try {
      const out = await run(phaseContext(), event);
      logger.info('step done', { status: out.status, next: out.phase, wait: out.wait, stop: out.stop });
      return out;
    } catch (err) {
      logger.error('step failed', err as Error);
      throw toTaskError(err);
    } finally {
      logger.resetKeys();
    }
  };
}
