// The AWS SDK's default credential chain, for the Lambda bundles (scripts/esbuildPlugins.cjs
// points `@aws-sdk/credential-provider-node` here). A Lambda function's role credentials are
// in its environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first
// link of the chain; the rest of it (ini files, SSO, STS web identity, ECS, IMDS, with their
// nested STS/SSO clients) is ~130 KB of every bundle that a function never reaches.
// The sources, the tests and the local stack keep the SDK's full chain.
import { fromEnv } from '@aws-sdk/credential-providers';

export const defaultProvider = (init = {}) => fromEnv(init);
