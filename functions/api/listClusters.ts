import { httpHandler } from '../../src/api/httpHandler.js';
import { listClustersRoute } from '../../src/api/clusterRoutes.js';

export const handler = httpHandler(listClustersRoute);
