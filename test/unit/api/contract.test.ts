import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { STATUS_BY_REASON } from '../../../src/api/errors.js';
import { OPERATIONS } from '../../../src/api/operations.js';
import openapi from '../../../docs/openapi.json' with { type: 'json' };

/** docs/API.md, the contract as people read it, held to the OpenAPI document generated from the schemas. */
const doc = readFileSync(new URL('../../../docs/API.md', import.meta.url), 'utf8');

/** The table rows of a section (its lines starting with "|", header and rule dropped), as cells. */
function rows(heading: string): string[][] {
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/API.md has no section "${heading}"`);
  const rest = doc.slice(start + heading.length + 2);
  const end = rest.search(/\n#{2,3} /);
  const lines = (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((l) => l.startsWith('|'));
  return lines.slice(2).map((l) =>
    l
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim()),
  );
}
const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

type Schema = { properties?: Record<string, unknown> };
const schemas = (openapi as unknown as { components: { schemas: Record<string, Schema> } }).components.schemas;
const fields = (name: string) => Object.keys(schemas[name]?.properties ?? {}).sort();

describe('docs/API.md', () => {
  it('lists exactly the routes serverless.yml declares', () => {
    const documented = rows('## Routes').map(([method, path]) => `${method} ${ticked(path!)[0]}`);
    expect(documented.sort()).toEqual(OPERATIONS.map((o) => `${o.method} ${o.path}`).sort());
  });

  // every row has all three values: jest hands a row with fewer a done callback instead
  const objects: [string, string, string][] = [
    ['### Cluster', 'Cluster', ''],
    ['### ClusterDetail', 'ClusterDetail', 'Cluster'],
    ['### Node', 'Node', ''],
    ['### VersionChoice', 'VersionChoice', ''],
    ['### Check', 'Check', ''],
    ['### Upgrade', 'Upgrade', ''],
    ['### BatchNode', 'BatchNode', ''],
    ['### Wait', 'Wait', ''],
    ['### UpgradeWait', 'UpgradeWait', 'Wait'],
    ['### Event', 'Event', ''],
    ['### DrainForecast', 'DrainForecast', ''],
  ];
  it.each(objects)('%s documents every field of the schema %s, and no other', (heading, schema, base) => {
    const documented = rows(heading).flatMap(([field]) => ticked(field!));
    const inherited = base ? new Set(fields(base)) : new Set<string>();
    expect(documented.sort()).toEqual(fields(schema).filter((f) => !inherited.has(f)));
  });

  it('documents every error code the API answers with, at its status', () => {
    const documented = new Map<string, number>();
    for (const [status, codes] of rows('## Errors')) for (const code of ticked(codes!)) documented.set(code, Number(status));
    for (const [code, status] of Object.entries(STATUS_BY_REASON)) expect([code, documented.get(code)]).toEqual([code, status]);
    // and the statuses the OpenAPI document gives its routes
    const statuses = new Set(rows('## Errors').map(([s]) => s));
    const paths = (openapi as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }).paths;
    for (const item of Object.values(paths))
      for (const op of Object.values(item)) for (const s of Object.keys(op.responses)) if (Number(s) >= 400) expect([s, statuses.has(s)]).toEqual([s, true]);
  });
});
