import semver from 'semver';
import { VERSION_CATALOG } from '../domain/catalog.js';
import { defineRoute } from './httpHandler.js';
import { openApiDocument } from './openapi.js';

export const listVersionsRoute = defineRoute({
  async run() {
    return { status: 200, body: { versions: [...VERSION_CATALOG].sort(semver.compare) } };
  },
});

export const openApiRoute = defineRoute({
  async run() {
    return { status: 200, body: openApiDocument() };
  },
});
