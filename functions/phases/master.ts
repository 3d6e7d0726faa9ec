import { runBatchStep } from '../../src/phases/runBatchStep.js';
import { phaseHandler } from '../../src/phases/runtime.js';
import { StepInputSchema } from '../../src/phases/stepInput.js';

export const handler = phaseHandler('masters', (ctx, event) => runBatchStep(ctx, 'master', StepInputSchema.parse(event)));
