import { httpHandler } from '../../src/api/httpHandler.js';
import { listEventsRoute } from '../../src/api/upgradeRoutes.js';

export const handler = httpHandler(listEventsRoute);
