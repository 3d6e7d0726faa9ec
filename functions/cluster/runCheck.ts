import * as z from 'zod';
import { runCheck } from '../../src/checks/runCheck.js';
import { phaseContext } from '../../src/phases/runtime.js';
import { kubernetesDrivers } from '../../src/phases/kubernetesDrivers.js';

const InputSchema = z.strictObject({ clusterId: z.string().min(1), checkId: z.string().min(1) });

/** Runs an upgrade check alone, invoked asynchronously by POST /clusters/{clusterId}/checks. */
export const handler = async (event: unknown): Promise<void> => runCheck(phaseContext({ drivers: kubernetesDrivers }), InputSchema.parse(event));
