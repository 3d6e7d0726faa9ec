import { httpHandler } from '../../src/api/httpHandler.js';
import { unregisterClusterRoute } from '../../src/api/clusterRoutes.js';

export const handler = httpHandler(unregisterClusterRoute);
