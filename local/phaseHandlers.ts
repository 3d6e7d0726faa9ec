import { handler as Begin } from '../functions/phases/begin.js';
import { handler as Cleanup } from '../functions/phases/cleanup.js';
import { handler as Master } from '../functions/phases/master.js';
import { handler as NodeBatch } from '../functions/phases/nodeBatch.js';
import { handler as OnError } from '../functions/phases/onError.js';
import { handler as Precheck } from '../functions/phases/precheck.js';
import type { TaskHandler } from '../src/workflow/localEngine.js';

/**
 * The Lambda handlers, keyed by the name in their ASL placeholder
 * (`${NodeBatchFunctionArn}` → NodeBatch): the local engine runs exactly
 * the code the deployed functions run.
 */
export const PHASE_HANDLERS: Record<string, TaskHandler> = { Begin, Precheck, Master, NodeBatch, Cleanup, OnError };
