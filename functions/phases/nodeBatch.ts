import { runBatchStep } from '../../src/phases/runBatchStep.js';
import { phaseHandler } from '../../src/phases/runtime.js';
import { StepInputSchema } from '../../src/phases/stepInput.js';

export const handler = phaseHandler('nodes', (ctx, event) => runBatchStep(ctx, 'worker', StepInputSchema.parse(event)));
