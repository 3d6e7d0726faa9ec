import type { LabelSelector } from './clusterSnapshot.js';

/**
 * Whether a metav1.LabelSelector selects these labels. A null selector
 * selects nothing and an empty one everything, as for policy/v1 PDBs.
 */
export function selectorMatches(selector: LabelSelector | null, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) return false;
  }
  return true;
}
