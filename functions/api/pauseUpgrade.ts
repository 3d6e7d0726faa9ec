import { httpHandler } from '../../src/api/httpHandler.js';
import { pauseUpgradeRoute } from '../../src/api/upgradeRoutes.js';

export const handler = httpHandler(pauseUpgradeRoute);
