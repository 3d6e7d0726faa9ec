import { runCleanup } from '../../src/phases/cleanup.js';
import { phaseHandler } from '../../src/phases/runtime.js';
import { StepInputSchema } from '../../src/phases/stepInput.js';

export const handler = phaseHandler('cleanup', (ctx, event) => runCleanup(ctx, StepInputSchema.parse(event)));
