import { runBegin } from '../../src/phases/begin.js';
import { phaseHandler } from '../../src/phases/runtime.js';
import { EventBridgeNotifier } from '../../src/notify/eventBridgeNotifier.js';
import { StepFunctionsWorkflow } from '../../src/workflow/stepFunctionsWorkflow.js';

// Begin reaches no cluster (its role reads no kubeconfig): built without drivers, its bundle holds no Kubernetes client
export const handler = phaseHandler('begin', runBegin, { notifier: EventBridgeNotifier, workflow: StepFunctionsWorkflow });
