import { runOnError } from '../../src/phases/onError.js';
import { phaseHandler } from '../../src/phases/runtime.js';
import { kubernetesDrivers } from '../../src/phases/kubernetesDrivers.js';
import { EventBridgeNotifier } from '../../src/notify/eventBridgeNotifier.js';

export const handler = phaseHandler('on-error', runOnError, { drivers: kubernetesDrivers, notifier: EventBridgeNotifier });
