import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values are credentials, at any depth. The logger does not scan message text, so secrets never go into messages. */
const SECRET_KEYS = new Set(['kubeconfig', 'token', 'authorization', 'secretstring', 'body']);

export const apiLogger = new Logger({
  serviceName: 'kupgrade-api',
  jsonReplacerFn: (key: string, value: unknown) => (SECRET_KEYS.has(key.toLowerCase()) ? '[redacted]' : value),
});
