import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { matchPath } from '../../../local/http/matchPath.js';
import { readRouteTable } from '../../../src/api/declaredRoutes.js';
import { openApiDocument } from '../../../src/api/openapi.js';
import { OPERATIONS } from '../../../src/api/operations.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('routeTable', () => {
  describe('readRouteTable', () => {
    it('reads every route of API.md from serverless.yml, each with its handler module', () => {
      // Act
      const routes = readRouteTable();

      // Assess: the same routes the OpenAPI document describes, by function, method and path
      const key = (r: { fn: string; method: string; path: string }) => `${r.fn} ${r.method} ${r.path}`;
      expect(routes.map(key).sort()).toEqual(OPERATIONS.map(key).sort());
      for (const r of routes) {
        expect([r.fn, r.module, r.exportName]).toEqual([r.fn, `functions/api/${r.fn}.ts`, 'handler']);
        expect(existsSync(`${root}/${r.module}`)).toBe(true);
      }
    });

    it('accepts the short "METHOD /path" form', () => {
      const routes = readRouteTable('functions:\n  a:\n    handler: functions/api/a.handler\n    events:\n      - httpApi: GET /x/{id}\n');
      expect(routes).toEqual([{ fn: 'a', method: 'GET', path: '/x/{id}', module: 'functions/api/a.ts', exportName: 'handler' }]);
    });
  });

  describe('matchPath', () => {
    it('returns the path parameters of a matching path', () => {
      expect(matchPath('/clusters/{clusterId}/upgrades/{upgradeId}', '/clusters/demo/upgrades/upg-1')).toEqual({ clusterId: 'demo', upgradeId: 'upg-1' });
    });

    it('matches neither longer, shorter nor different paths, nor empty parameters', () => {
      expect(matchPath('/clusters/{clusterId}', '/clusters/demo/upgrades')).toBeUndefined();
      expect(matchPath('/clusters/{clusterId}', '/clusters')).toBeUndefined();
      expect(matchPath('/clusters/{clusterId}', '/versions/demo')).toBeUndefined();
      expect(matchPath('/clusters/{clusterId}', '/clusters/')).toBeUndefined();
    });
  });
});

describe('openapi', () => {
  describe('openApiDocument', () => {
    it('is OpenAPI 3.1 with every operation, its schemas as components and the error shape on every 4xx', () => {
      const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown> } };
      expect(doc.openapi).toBe('3.1.0');
      for (const op of OPERATIONS) {
        const o = doc.paths[op.path]![op.method.toLowerCase()];
        expect(o.operationId).toBe(op.fn);
        expect(Object.keys(o.responses)).toEqual(expect.arrayContaining([String(op.status), '400', '401']));
        expect(o.responses['401'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
      }
      expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Upgrade', 'Cluster', 'Check', 'CheckReport', 'Error', 'RegisterCluster']));
      // unknown fields are refused, and the document says so
      expect(JSON.stringify(doc.components.schemas.TargetVersion)).toContain('"additionalProperties":false');
    });
  });
});
