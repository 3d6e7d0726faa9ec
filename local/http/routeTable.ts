import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface LocalRoute {
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

export const SERVERLESS_YML = new URL('../../serverless.yml', import.meta.url);

// CloudFormation short tags only need to parse; their values are not used here.
const cfnTags = ['!Ref', '!GetAtt', '!Sub'].map((tag) => ({ tag, resolve: (v: unknown) => ({ [tag]: v }) }));

interface ServerlessFunction {
  handler: string;
  events?: Array<{ httpApi?: { method: string; path: string } | string }>;
}

/**
 * The HTTP routes exactly as serverless.yml declares them for API Gateway:
 * one per httpApi event, served locally by the same handler.
 */
export function readRouteTable(yamlText: string = readFileSync(SERVERLESS_YML, 'utf8')): LocalRoute[] {
  const service = parse(yamlText, { customTags: cfnTags }) as { functions?: Record<string, ServerlessFunction> };
  const routes: LocalRoute[] = [];
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

/** Matches a request path against a template; returns the path parameters, or undefined. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    const name = /^\{(\w+)\}$/.exec(w)?.[1];
    if (name) {
      if (!g) return undefined;
      try {
        params[name] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}
