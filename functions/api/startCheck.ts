import { httpHandler } from '../../src/api/httpHandler.js';
import { startCheckRoute } from '../../src/api/checkRoutes.js';

export const handler = httpHandler(startCheckRoute);
