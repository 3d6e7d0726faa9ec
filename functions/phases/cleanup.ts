import { runCleanup } from '../../src/phases/cleanup.js';
import { phaseHandler } from '../../src/phases/runtime.js';
import { kubernetesDrivers } from '../../src/phases/kubernetesDrivers.js';
import { EventBridgeNotifier } from '../../src/notify/eventBridgeNotifier.js';
import { StepFunctionsWorkflow } from '../../src/workflow/stepFunctionsWorkflow.js';
import { StepInputSchema } from '../../src/phases/stepInput.js';

export const handler = phaseHandler('cleanup', (ctx, event) => runCleanup(ctx, StepInputSchema.parse(event)), {
  continues: true,
  drivers: kubernetesDrivers,
  notifier: EventBridgeNotifier,
  workflow: StepFunctionsWorkflow,
});
