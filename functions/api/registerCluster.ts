import { httpHandler } from '../../src/api/httpHandler.js';
import { registerClusterRoute } from '../../src/api/clusterRoutes.js';
import { deployedApiContext } from '../../src/api/deployedContext.js';
import { createDbWithStatusEffects } from '../../src/upgrades/statusEffects.js';
import { LambdaClusterReader } from '../../src/registration/lambdaClusterReader.js';
import { SecretsManagerStore } from '../../src/secrets/secretsManagerStore.js';

// the AWS clients this function's role grants (serverless.yml), and no other: a cold start compiles all it imports
export const handler = httpHandler(registerClusterRoute, () =>
  deployedApiContext({ db: createDbWithStatusEffects, reader: LambdaClusterReader, secrets: SecretsManagerStore }),
);
