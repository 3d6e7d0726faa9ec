import { badRequest } from './status.js';
import { any, propOf, type Schema } from './schema.js';

type Json = unknown;
type JsonObject = Record<string, Json>;
const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

function withoutDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = withoutDirectives(x);
  return out;
}

/** Lists with a merge key (containers by name, env by name, …) merge element by element; `$patch: delete|replace` elements steer it. */
function mergeList(original: Json, patch: Json[], schema: Schema & { t: 'array' }, order: Json[] | undefined): Json[] {
  const key = schema.mergeKey!;
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) return patch.filter((p) => !(isObject(p) && p.$patch)).map(withoutDirectives);
  const out = Array.isArray(original) ? [...original] : [];
  for (const p of patch) {
    if (!isObject(p)) throw badRequest(`strategic merge patch: the elements of a list merged by "${key}" must be objects`);
    const i = out.findIndex((o) => isObject(o) && o[key] === p[key]);
    if (p.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = strategicMerge(out[i], p, schema.items);
    else out.push(strategicMerge(undefined, p, schema.items));
  }
  if (!order) return out;
  const rank = (o: Json) => {
    const r = order.findIndex((e) => isObject(e) && isObject(o) && e[key] === o[key]);
    return r < 0 ? Number.MAX_SAFE_INTEGER : r;
  };
  return out
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .map((x) => x.o);
}

/**
 * Applies a strategic merge patch (application/strategic-merge-patch+json) as
 * kube-apiserver does for the fields modelled in schema.ts: maps merge, null
 * deletes, lists with a merge key merge by key, other lists are replaced; the
 * directives kubectl sends ($patch, $retainKeys, $setElementOrder,
 * $deleteFromPrimitiveList) are honoured.
 */
export function strategicMerge(original: Json, patch: Json, schema: Schema = any): Json {
  if (!isObject(patch)) return withoutDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  if (patch.$patch === 'replace') return withoutDirectives(patch);
  const out: JsonObject = isObject(original) ? { ...original } : {};
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k) && !(k in patch)) delete out[k];
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length);
      const gone = Array.isArray(v) ? v : [];
      if (Array.isArray(out[field])) out[field] = (out[field] as Json[]).filter((x) => !gone.includes(x));
      continue;
    }
    if (k.startsWith('$')) continue;
    const sub = propOf(schema, k) ?? any;
    if (v === null) delete out[k];
    else if (Array.isArray(v) && sub.t === 'array' && sub.mergeKey) {
      const order = patch[`${ORDER}${k}`];
      out[k] = mergeList(out[k], v, sub, Array.isArray(order) ? order : undefined);
    } else if (isObject(v) && sub.t !== 'array') {
      const merged = strategicMerge(out[k], v, sub);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = withoutDirectives(v);
  }
  return out;
}
