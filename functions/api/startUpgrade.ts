import { httpHandler } from '../../src/api/httpHandler.js';
import { startUpgradeRoute } from '../../src/api/upgradeRoutes.js';
import { deployedApiContext } from '../../src/api/deployedContext.js';
import { createDbWithStatusEffects } from '../../src/upgrades/statusEffects.js';
import { EventBridgeNotifier } from '../../src/notify/eventBridgeNotifier.js';
import { StepFunctionsWorkflow } from '../../src/workflow/stepFunctionsWorkflow.js';
import { EventBridgeScheduler } from '../../src/workflow/eventBridgeScheduler.js';

// the AWS clients this function's role grants (serverless.yml), and no other: a cold start compiles all it imports
export const handler = httpHandler(startUpgradeRoute, () =>
  deployedApiContext({ db: createDbWithStatusEffects, notifier: EventBridgeNotifier, workflow: StepFunctionsWorkflow, scheduler: EventBridgeScheduler }),
);
