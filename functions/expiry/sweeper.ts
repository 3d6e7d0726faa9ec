import { sweep, type SweepOutcome } from '../../src/expiry/sweep.js';
import { logger, phaseContext } from '../../src/phases/runtime.js';
import { kubernetesDrivers } from '../../src/phases/kubernetesDrivers.js';
import { EventBridgeNotifier } from '../../src/notify/eventBridgeNotifier.js';
import { StepFunctionsWorkflow } from '../../src/workflow/stepFunctionsWorkflow.js';

/** Scheduled (hourly when deployed): closes paused upgrades whose expiry has passed, repairs upgrades no execution runs. */
export const handler = async (): Promise<SweepOutcome> => {
  const result = await sweep(phaseContext({ drivers: kubernetesDrivers, notifier: EventBridgeNotifier, workflow: StepFunctionsWorkflow }));
  if (result.closed.length) logger.info('closed expired upgrades', { closed: result.closed });
  if (result.started.length) logger.warn('started executions for upgrades nothing ran', { started: result.started });
  if (result.paused.length) logger.error('paused upgrades no execution could be started for', { paused: result.paused });
  return result;
};
