import { httpHandler } from '../../src/api/httpHandler.js';
import { listVersionsRoute } from '../../src/api/metaRoutes.js';
import { deployedApiContext } from '../../src/api/deployedContext.js';

// the AWS clients this function's role grants (serverless.yml), and no other: a cold start compiles all it imports
export const handler = httpHandler(listVersionsRoute, () => deployedApiContext({}));
