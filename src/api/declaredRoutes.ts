import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The HTTP routes as serverless.yml declares them: the one place a route's
 * method and path are written. Read at development time (the local server,
 * the OpenAPI generator, the tests); no Lambda reads it.
 */
export interface DeclaredRoute {
  /** the function's name in serverless.yml */
  fn: string;
  method: string;
  /** API Gateway path template, e.g. /clusters/{clusterId} */
  path: string;
  /** handler module, relative to the repository root, e.g. functions/api/getCluster.ts */
  module: string;
  /** the handler's export name */
  exportName: string;
}

const SERVERLESS_YML = new URL('../../serverless.yml', import.meta.url);

// CloudFormation short tags only need to parse; their values are not used here.
// Scalars (`!Ref Table`) and lists (`!If [Cond, a, b]`) alike.
export const CFN_TAGS = ['!Ref', '!GetAtt', '!Sub', '!If', '!Not', '!Equals'].flatMap((tag) =>
  (['scalar', 'seq'] as const).map((kind) =>
    kind === 'scalar' ? { tag, resolve: (v: unknown) => ({ [tag]: v }) } : { tag, collection: kind, resolve: (v: unknown) => ({ [tag]: v }) },
  ),
);

interface ServerlessFunction {
  handler: string;
  events?: Array<{ httpApi?: { method: string; path: string } | string }>;
}

/**
 * The HTTP routes exactly as serverless.yml declares them for API Gateway:
 * one per httpApi event, served locally by the same handler.
 */
export function readRouteTable(yamlText: string = readFileSync(SERVERLESS_YML, 'utf8')): DeclaredRoute[] {
  const service = parse(yamlText, { customTags: CFN_TAGS }) as { functions?: Record<string, ServerlessFunction> };
  const routes: DeclaredRoute[] = [];
  for (const [fn, def] of Object.entries(service.functions ?? {})) {
    for (const event of def.events ?? []) {
      if (!event.httpApi) continue;
      // serverless also accepts the short form "GET /path"
      const [method, path] = typeof event.httpApi === 'string' ? event.httpApi.split(/\s+/) : [event.httpApi.method, event.httpApi.path];
      const dot = def.handler.lastIndexOf('.');
      routes.push({ fn, method: method!.toUpperCase(), path: path!, module: `${def.handler.slice(0, dot)}.ts`, exportName: def.handler.slice(dot + 1) });
    }
  }
  return routes;
}
