import { httpHandler } from '../../src/api/httpHandler.js';
import { getDrainForecastRoute } from '../../src/api/upgradeRoutes.js';
import { deployedApiContext } from '../../src/api/deployedContext.js';
import { createDbWithStatusEffects } from '../../src/upgrades/statusEffects.js';
import { LambdaClusterReader } from '../../src/registration/lambdaClusterReader.js';

// the AWS clients this function's role grants (serverless.yml), and no other: a cold start compiles all it imports
export const handler = httpHandler(getDrainForecastRoute, () => deployedApiContext({ db: createDbWithStatusEffects, reader: LambdaClusterReader }));
