import { httpHandler } from '../../src/api/httpHandler.js';
import { registerClusterRoute } from '../../src/api/clusterRoutes.js';

export const handler = httpHandler(registerClusterRoute);
