import { httpHandler } from '../../src/api/httpHandler.js';
import { resumeUpgradeRoute } from '../../src/api/upgradeRoutes.js';

export const handler = httpHandler(resumeUpgradeRoute);
