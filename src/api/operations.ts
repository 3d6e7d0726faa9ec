import type * as z from 'zod';
import { readRouteTable } from './declaredRoutes.js';
import { ROUTES } from './routeTable.js';

/** A route as the OpenAPI document shows it: serverless.yml's method and path, the route table's schemas. */
export interface Operation {
  /** the function's name in serverless.yml (and its file under functions/api/) */
  fn: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  summary: string;
  params?: z.ZodType;
  body?: z.ZodType;
  query?: z.ZodType;
  status: number;
  response?: z.ZodType;
  /** the 4xx answers the route documents besides 400 and 401 */
  errors: number[];
}

/** The two halves joined; a route declared without an entry in the table, or the reverse, is an error naming it. */
function operations(): Operation[] {
  const declared = readRouteTable();
  const missing = Object.keys(ROUTES).filter((fn) => !declared.some((d) => d.fn === fn));
  if (missing.length) throw new Error(`src/api/routeTable.ts has routes serverless.yml does not declare: ${missing.join(', ')}`);
  return declared.map((d) => {
    const route = ROUTES[d.fn];
    if (!route) throw new Error(`serverless.yml declares the route ${d.method} ${d.path} (function ${d.fn}), which src/api/routeTable.ts lacks`);
    const { run: _run, ...doc } = route;
    return { fn: d.fn, method: d.method as Operation['method'], path: d.path, ...doc };
  });
}

/** Every operation of the HTTP API, in serverless.yml's order. */
export const OPERATIONS: readonly Operation[] = operations();
