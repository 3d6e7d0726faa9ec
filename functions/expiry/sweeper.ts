import { sweepExpired } from '../../src/expiry/sweep.js';
import { logger, phaseContext } from '../../src/phases/runtime.js';

/** Scheduled (hourly when deployed): closes paused upgrades whose expiry has passed. */
export const handler = async (): Promise<{ closed: string[] }> => {
  const result = await sweepExpired(phaseContext());
  if (result.closed.length) logger.info('closed expired upgrades', { closed: result.closed });
  return result;
};
