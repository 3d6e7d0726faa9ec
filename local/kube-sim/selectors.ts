import { badRequest } from './status.js';
import type { KubeObject } from './store.js';

/** A parsed label requirement, the same model for query strings and LabelSelector objects. */
export interface Requirement {
  key: string;
  op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

export type Predicate = (obj: KubeObject) => boolean;

/** Splits on commas that are not inside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

export function parseLabelSelector(selector: string): Requirement[] {
  return splitTopLevel(selector).map((term) => {
    let m = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = m[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '');
      return { key: m[1]!, op: m[2] === 'in' ? 'In' : 'NotIn', values };
    }
    m = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=()]*)$/.exec(term);
    if (m) return { key: m[1]!, op: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]!] };
    m = /^!\s*([^\s!=()]+)$/.exec(term);
    if (m) return { key: m[1]!, op: 'DoesNotExist', values: [] };
    m = /^([^\s!=()]+)$/.exec(term);
    if (m) return { key: m[1]!, op: 'Exists', values: [] };
    throw badRequest(`unable to parse requirement: invalid label selector "${term}"`);
  });
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function requirementsOf(sel: LabelSelectorObject | undefined): Requirement[] {
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {})) reqs.push({ key, op: 'In', values: [value] });
  for (const e of sel?.matchExpressions ?? []) {
    reqs.push({ key: e.key, op: e.operator as Requirement['op'], values: e.values ?? [] });
  }
  return reqs;
}

export function matchesLabels(labels: Record<string, string> | undefined, reqs: Requirement[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'In':
        return has && r.values.includes(l[r.key]!);
      case 'NotIn':
        return !has || !r.values.includes(l[r.key]!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
  });
}

/** A PDB or controller selector: an empty selector matches nothing in policy/v1 PDB sense only when absent. */
export function selectorMatches(sel: LabelSelectorObject | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  return matchesLabels(labels, requirementsOf(sel));
}

/** Field paths the real server supports for the resources served here. */
const FIELD_PATHS: Record<string, (o: KubeObject) => string | undefined> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace,
  'spec.nodeName': (o) => (o.spec as { nodeName?: string } | undefined)?.nodeName ?? '',
  'status.phase': (o) => (o.status as { phase?: string } | undefined)?.phase ?? '',
  'spec.unschedulable': (o) => String(Boolean((o.spec as { unschedulable?: boolean } | undefined)?.unschedulable)),
};

export function parseFieldSelector(selector: string): Predicate {
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((term) => {
      const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
      if (!m) throw badRequest(`invalid field selector: "${term}"`);
      const path = m[1]!.trim();
      const get = FIELD_PATHS[path];
      if (!get) throw badRequest(`field label not supported: ${path}`);
      return { get, negate: m[2] === '!=', value: m[3]!.trim() };
    });
  return (o) => terms.every((t) => (t.get(o) === t.value) !== t.negate);
}

export function listPredicate(labelSelector?: string, fieldSelector?: string): Predicate {
  const reqs = labelSelector ? parseLabelSelector(labelSelector) : [];
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : () => true;
  return (o) => matchesLabels(o.metadata.labels, reqs) && fields(o);
}
