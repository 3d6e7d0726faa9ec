import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';
import { OPERATIONS, type Operation } from './operations.js';
import { ErrorSchema } from './schemas.js';

const ERROR_TEXT: Record<number, string> = {
  400: 'bad input: malformed JSON, an unknown field, a bad id or version, a version the policy refuses',
  401: 'no or a wrong credential',
  404: 'unknown id',
  409: 'conflicting state',
  422: 'the cluster could not be read with the kubeconfig given',
};
const errorResponse = (status: number) => ({ description: ERROR_TEXT[status] ?? 'error', content: { 'application/json': { schema: ErrorSchema } } });

function operationOf(op: Operation) {
  const responses: Record<string, unknown> = {
    [op.status]: op.response ? { description: op.summary, content: { 'application/json': { schema: op.response } } } : { description: op.summary },
  };
  for (const s of [400, 401, ...op.errors]) responses[s] = errorResponse(s);
  return {
    operationId: op.fn,
    summary: op.summary,
    ...(op.params || op.query ? { requestParams: { ...(op.params ? { path: op.params } : {}), ...(op.query ? { query: op.query } : {}) } } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
    responses,
  };
}

let cached: ReturnType<typeof createDocument> | undefined;

/**
 * The OpenAPI 3.1 document of the HTTP API, from the same zod schemas the
 * handlers parse with and the routes serverless.yml declares. `npm run
 * generate` writes it to docs/openapi.json, which GET /openapi.json serves;
 * a test fails when the two drift apart.
 */
export function openApiDocument(): ReturnType<typeof createDocument> {
  if (cached) return cached;
  const paths: ZodOpenApiPathsObject = {};
  for (const op of OPERATIONS) {
    const item = (paths[op.path] ??= {}) as Record<string, unknown>;
    item[op.method.toLowerCase()] = operationOf(op);
  }
  cached = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'kupgrade',
      version: '1',
      description: 'Upgrades the Kubernetes version of registered clusters: precheck, masters one by one, workers in growing batches, cleanup.',
    },
    security: [{ sigv4: [] }],
    components: {
      securitySchemes: {
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', description: 'AWS SigV4 when deployed (IAM); locally, Authorization: Bearer <token>' },
      },
    },
    paths,
  });
  return cached;
}
