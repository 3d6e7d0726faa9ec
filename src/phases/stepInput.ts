import * as z from 'zod';

/** What every phase Task receives from the state machine. */
export const StepInputSchema = z.object({
  clusterId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  upgradeId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
});
