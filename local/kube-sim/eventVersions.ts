import type { KubeObject } from './store.js';

/**
 * core/v1 and events.k8s.io/v1 Events are one stored object in two shapes, as
 * in kube-apiserver: the store keeps the core shape, and events.k8s.io/v1
 * renames involvedObject → regarding, message → note, reportingComponent →
 * reportingController and the legacy source/timestamps/count → deprecated*.
 */
const RENAMES: [core: string, v1: string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['reportingComponent', 'reportingController'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];

function rename(o: KubeObject, pairs: [string, string][], apiVersion: string): KubeObject {
  const out: Record<string, unknown> = { ...o, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    if (from in out) {
      const v = out[from];
      delete out[from];
      if (v !== undefined) out[to] = v;
    }
  }
  return out as KubeObject;
}

export function eventToEventsV1(o: KubeObject): KubeObject {
  return rename(o, RENAMES, 'events.k8s.io/v1');
}

export function eventFromEventsV1(o: KubeObject): KubeObject {
  return rename(
    o,
    RENAMES.map(([core, v1]) => [v1, core]),
    'v1',
  );
}

/** events.k8s.io/v1 field selector labels, as the server converts them to the stored (core) ones. */
export const EVENTS_V1_FIELD_LABELS: Record<string, string> = {
  ...Object.fromEntries(
    ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f) => [`regarding.${f}`, `involvedObject.${f}`]),
  ),
  reportingController: 'reportingComponent',
  reason: 'reason',
  type: 'type',
};

interface CoreEvent {
  involvedObject?: Record<string, string | undefined>;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reason?: string;
  type?: string;
}

/** The fields kube-apiserver lets a core/v1 Event list select on (pkg/registry/core/event ToSelectableFields). */
export const EVENT_FIELDS: Record<string, (o: KubeObject) => string> = {
  ...Object.fromEntries(
    ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f) => [
      `involvedObject.${f}`,
      (o: KubeObject) => (o as CoreEvent).involvedObject?.[f] ?? '',
    ]),
  ),
  reason: (o) => (o as CoreEvent).reason ?? '',
  reportingComponent: (o) => (o as CoreEvent).reportingComponent ?? '',
  source: (o) => (o as CoreEvent).source?.component || (o as CoreEvent).reportingComponent || '',
  type: (o) => (o as CoreEvent).type ?? '',
};
