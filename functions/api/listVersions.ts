import { httpHandler } from '../../src/api/httpHandler.js';
import { listVersionsRoute } from '../../src/api/metaRoutes.js';

export const handler = httpHandler(listVersionsRoute);
