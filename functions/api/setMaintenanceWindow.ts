import { setMaintenanceWindowRoute } from '../../src/api/clusterRoutes.js';
import { httpHandler } from '../../src/api/httpHandler.js';

export const handler = httpHandler(setMaintenanceWindowRoute);
