import { ApiError, badRequest } from './status.js';
import type { Schema } from './schema.js';
import { strategicMerge } from './strategic.js';

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch: objects merge, null removes, anything else replaces. */
function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/**
 * Applies a PATCH body by its content type; a strategic merge patch follows
 * the kind's schema (list merge keys), so `schema` should be the kind's.
 */
export function applyPatch(contentType: string, current: Json, patch: Json, schema?: Schema): Json {
  const type = contentType.split(';')[0]!.trim();
  if (type === PATCH_TYPES.merge || type === PATCH_TYPES.strategic) {
    if (!isObject(patch)) throw badRequest('the patch must be a JSON object');
    return type === PATCH_TYPES.strategic ? strategicMerge(current, patch, schema) : mergePatch(current, patch);
  }
  throw new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.merge}, ${PATCH_TYPES.strategic}`,
  );
}
