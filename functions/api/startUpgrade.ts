import { httpHandler } from '../../src/api/httpHandler.js';
import { startUpgradeRoute } from '../../src/api/upgradeRoutes.js';

export const handler = httpHandler(startUpgradeRoute);
