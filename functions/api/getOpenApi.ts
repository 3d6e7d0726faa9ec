import { httpHandler } from '../../src/api/httpHandler.js';
import { openApiRoute } from '../../src/api/metaRoutes.js';

export const handler = httpHandler(openApiRoute);
