import { httpHandler } from '../../src/api/httpHandler.js';
import { listUpgradesRoute } from '../../src/api/upgradeRoutes.js';

export const handler = httpHandler(listUpgradesRoute);
