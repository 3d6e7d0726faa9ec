import { runPrecheck } from '../../src/phases/precheck.js';
import { phaseHandler } from '../../src/phases/runtime.js';
import { StepInputSchema } from '../../src/phases/stepInput.js';

export const handler = phaseHandler('precheck', (ctx, event) => runPrecheck(ctx, StepInputSchema.parse(event)));
