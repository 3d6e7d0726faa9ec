import { ApiError } from './status.js';
import type { ResourceDef } from './registry.js';
import { schemaOf, type Schema } from './schema.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Paths of fields the schema does not declare, in the notation kube-apiserver uses (`spec.containers[0].foo`). */
function unknownFields(schema: Schema, value: unknown, path = ''): string[] {
  const at = (k: string) => (path ? `${path}.${k}` : k);
  switch (schema.t) {
    case 'object': {
      if (!isPlainObject(value)) return [];
      const out: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        const p = schema.props[k];
        if (!p) out.push(at(k));
        else out.push(...unknownFields(p, v, at(k)));
      }
      return out;
    }
    case 'map':
      return isPlainObject(value) ? Object.entries(value).flatMap(([k, v]) => unknownFields(schema.values, v, at(k))) : [];
    case 'array':
      return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(schema.items, v, `${path}[${i}]`)) : [];
    default:
      return [];
  }
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function parseFieldValidation(raw: string | null): FieldValidation {
  if (!raw) return 'Warn';
  if (raw === 'Strict' || raw === 'Warn' || raw === 'Ignore') return raw;
  throw new ApiError(400, 'BadRequest', `fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${raw}"`);
}

/**
 * Server-side field validation as kubectl relies on it: with Strict the write
 * is refused with the unknown fields named (the message a real server gives
 * for a create); with Warn they are returned as warnings; Ignore drops them.
 */
export function checkFields(def: ResourceDef, body: unknown, mode: FieldValidation): string[] {
  const schema = schemaOf(def);
  if (mode === 'Ignore' || !schema) return [];
  const unknown = unknownFields(schema, body);
  if (unknown.length === 0) return [];
  const detail = unknown.map((f) => `unknown field "${f}"`).join(', ');
  if (mode === 'Strict') {
    const gv = def.group ? `${def.group}/${def.version}` : def.version;
    throw new ApiError(400, 'BadRequest', `${def.kind} in version "${gv}" cannot be handled as a ${def.kind}: strict decoding error: ${detail}`);
  }
  return unknown.map((f) => `unknown field "${f}"`);
}
