import semver from 'semver';
import openApiDocument from '../../docs/openapi.json' with { type: 'json' };
import { VERSION_CATALOG } from '../domain/catalog.js';
import { defineRoute } from './httpHandler.js';
import { VersionsSchema } from './schemas.js';

export const listVersionsRoute = /* @__PURE__ */ defineRoute({
  summary: 'the Kubernetes versions kupgrade can upgrade to',
  status: 200,
  response: VersionsSchema,
  errors: [],
  async run() {
    return { status: 200, body: { versions: [...VERSION_CATALOG].sort(semver.compare) } };
  },
});

/** The document generated from the schemas and serverless.yml (npm run generate), as committed: the function holds no schema code. */
export const getOpenApiRoute = /* @__PURE__ */ defineRoute({
  summary: 'this document',
  status: 200,
  errors: [],
  async run() {
    return { status: 200, body: openApiDocument };
  },
});
