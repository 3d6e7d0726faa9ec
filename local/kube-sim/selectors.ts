import { EVENT_FIELDS, EVENTS_V1_FIELD_LABELS } from './eventVersions.js';
import type { ResourceDef, ResourceName } from './registry.js';
import { badRequest } from './status.js';
import type { KubeObject } from './store.js';

/** A parsed label requirement, the same model for query strings and LabelSelector objects. */
interface Requirement {
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

function parseLabelSelector(selector: string): Requirement[] {
  return splitTopLevel(selector).map((term) => {
    let m = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
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

function requirementsOf(sel: LabelSelectorObject | undefined): Requirement[] {
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {})) reqs.push({ key, op: 'In', values: [value] });
  for (const e of sel?.matchExpressions ?? []) {
    reqs.push({ key: e.key, op: e.operator as Requirement['op'], values: e.values ?? [] });
  }
  return reqs;
}

function matchesLabels(labels: Record<string, string> | undefined, reqs: Requirement[]): boolean {
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

type FieldGetter = (o: KubeObject) => string | undefined;
const META_FIELDS: Record<string, FieldGetter> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};
const at =
  (part: 'spec' | 'status', key: string): FieldGetter =>
  (o) => {
    const v = (o[part] as Record<string, unknown> | undefined)?.[key];
    return v === undefined || v === null ? '' : String(v);
  };

/** The fields each resource's registry lets a list select on (its ToSelectableFields); every other label is refused. */
const RESOURCE_FIELDS: Partial<Record<ResourceName, Record<string, FieldGetter>>> = {
  pods: {
    ...Object.fromEntries(['nodeName', 'restartPolicy', 'schedulerName', 'serviceAccountName'].map((k) => [`spec.${k}`, at('spec', k)])),
    'spec.hostNetwork': (o) => String(Boolean((o.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork)),
    ...Object.fromEntries(['phase', 'podIP', 'nominatedNodeName'].map((k) => [`status.${k}`, at('status', k)])),
  },
  nodes: { 'spec.unschedulable': (o) => String(Boolean((o.spec as { unschedulable?: boolean } | undefined)?.unschedulable)) },
  namespaces: { 'status.phase': at('status', 'phase') },
  replicasets: { 'status.replicas': at('status', 'replicas') },
  jobs: { 'status.successful': at('status', 'succeeded') },
  events: EVENT_FIELDS,
};

/** The selectable fields of a resource, under the labels its version uses (events.k8s.io says regarding.*, core involvedObject.*). */
function fieldGetters(def: ResourceDef): Record<string, FieldGetter> {
  const stored = { ...META_FIELDS, ...(RESOURCE_FIELDS[def.storage] ?? {}) };
  if (def.storage !== 'events' || !def.conversion) return stored;
  return { ...META_FIELDS, ...Object.fromEntries(Object.entries(EVENTS_V1_FIELD_LABELS).map(([label, core]) => [label, stored[core]!])) };
}

function parseFieldSelector(selector: string, paths: Record<string, FieldGetter>): Predicate {
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((term) => {
      const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
      if (!m) throw badRequest(`invalid field selector: "${term}"`);
      const path = m[1]!.trim();
      const get = paths[path];
      if (!get) throw badRequest(`field label not supported: ${path}`);
      return { get, negate: m[2] === '!=', value: m[3]!.trim() };
    });
  return (o) => terms.every((t) => (t.get(o) === t.value) !== t.negate);
}

/** The predicate of a list or watch: `def` decides which fields may be selected on (stored objects are matched). */
export function listPredicate(def: ResourceDef, labelSelector?: string, fieldSelector?: string): Predicate {
  const reqs = labelSelector ? parseLabelSelector(labelSelector) : [];
  const fields = fieldSelector ? parseFieldSelector(fieldSelector, fieldGetters(def)) : () => true;
  return (o) => matchesLabels(o.metadata.labels, reqs) && fields(o);
}
