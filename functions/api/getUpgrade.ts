import { httpHandler } from '../../src/api/httpHandler.js';
import { getUpgradeRoute } from '../../src/api/upgradeRoutes.js';

export const handler = httpHandler(getUpgradeRoute);
