import { httpHandler } from '../../src/api/httpHandler.js';
import { getCheckRoute } from '../../src/api/checkRoutes.js';

export const handler = httpHandler(getCheckRoute);
