import { httpHandler } from '../../src/api/httpHandler.js';
import { getClusterRoute } from '../../src/api/clusterRoutes.js';

export const handler = httpHandler(getClusterRoute);
