import { runOnError } from '../../src/phases/onError.js';
import { phaseHandler } from '../../src/phases/runtime.js';

export const handler = phaseHandler('on-error', runOnError);
