import { runBegin } from '../../src/phases/begin.js';
import { phaseHandler } from '../../src/phases/runtime.js';

export const handler = phaseHandler('begin', runBegin);
