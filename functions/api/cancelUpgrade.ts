import { httpHandler } from '../../src/api/httpHandler.js';
import { cancelUpgradeRoute } from '../../src/api/upgradeRoutes.js';

export const handler = httpHandler(cancelUpgradeRoute);
