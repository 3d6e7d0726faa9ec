import { apiVersionOf, type ResourceDef } from './registry.js';
import { invalidFields } from './status.js';
import type { KubeObject } from './store.js';

/**
 * What kube-apiserver does to an object a client creates before it is stored,
 * for the kinds where clients see it: defaults, generated fields, and the
 * validation that refuses a malformed Event. `prepare` runs once the object
 * has its uid (a Job's generated selector names it).
 */
export function admitCreate(def: ResourceDef, o: KubeObject): { prepare?: (stored: KubeObject) => void } {
  switch (def.storage) {
    case 'pods': {
      // Clients do not set a pod's status; the server starts every pod Pending.
      o.status = { phase: 'Pending', qosClass: 'BestEffort' };
      const spec = (o.spec ??= {}) as { terminationGracePeriodSeconds?: number };
      spec.terminationGracePeriodSeconds ??= 30;
      return {};
    }
    case 'namespaces':
      // PrepareForCreate always sets the kubernetes finalizer, and the name label is added to every namespace.
      o.status = { phase: 'Active' };
      o.spec = { ...((o.spec as object | undefined) ?? {}), finalizers: ['kubernetes'] };
      o.metadata.labels = { ...(o.metadata.labels ?? {}), ...(o.metadata.name ? { 'kubernetes.io/metadata.name': o.metadata.name } : {}) };
      return {};
    case 'jobs':
      defaultJob(o);
      return { prepare: generateJobSelector };
    case 'events':
      validateEvent(def, o);
      return {};
    default:
      return {};
  }
}

interface JobSpec {
  parallelism?: number;
  completions?: number;
  backoffLimit?: number;
  completionMode?: string;
  suspend?: boolean;
  podReplacementPolicy?: string;
  manualSelector?: boolean;
  selector?: { matchLabels?: Record<string, string> };
  template?: { metadata?: { labels?: Record<string, string> } };
}

/** batch/v1 SetDefaults_Job. */
function defaultJob(o: KubeObject): void {
  const spec = (o.spec ??= {}) as JobSpec;
  spec.parallelism ??= 1;
  spec.completions ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
}

/**
 * Unless manualSelector is true, the Job's selector is generated from its
 * uid and the template (so every pod) carries the controller-uid and job-name
 * labels, old and new spellings; a Job created without labels takes the
 * template's. That selector is what `kubectl logs job/x` lists pods by.
 */
function generateJobSelector(job: KubeObject): void {
  const spec = job.spec as JobSpec;
  if (spec.manualSelector === true) return;
  const uid = job.metadata.uid!;
  const name = job.metadata.name;
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.metadata.labels = {
    ...(spec.template.metadata.labels ?? {}),
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  if (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0) job.metadata.labels = { ...spec.template.metadata.labels };
}

interface StoredEvent {
  involvedObject?: { namespace?: string };
  eventTime?: string;
  type?: string;
  reportingComponent?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
}

/**
 * ValidateEventCreate: the namespace must agree with the involved object's,
 * an event with an eventTime (every events.k8s.io/v1 one) names its
 * reporting controller, instance and action, and events.k8s.io/v1 requires
 * eventTime and a type of Normal or Warning.
 */
function validateEvent(def: ResourceDef, o: KubeObject): void {
  const e = o as StoredEvent;
  const v1 = apiVersionOf(def) === 'events.k8s.io/v1';
  const ns = o.metadata.namespace;
  const involvedNs = e.involvedObject?.namespace ?? '';
  const problems: { field: string; message: string; reason?: string }[] = [];
  const required = (field: string) => problems.push({ field, message: 'Required value', reason: 'FieldValueRequired' });
  const mismatch = {
    field: v1 ? 'regarding.namespace' : 'involvedObject.namespace',
    message: `Invalid value: "${involvedNs}": does not match event.namespace`,
  };
  if (!e.eventTime) {
    if (involvedNs ? ns !== undefined && ns !== involvedNs : ns !== undefined && ns !== 'default') problems.push(mismatch);
  } else {
    if (!involvedNs && ns !== undefined && ns !== 'default' && ns !== 'kube-system') problems.push(mismatch);
    if (!e.reportingComponent) required(v1 ? 'reportingController' : 'reportingComponent');
    if (!e.reportingInstance) required('reportingInstance');
    if (!e.action) required('action');
  }
  if (v1) {
    if (!e.eventTime) required('eventTime');
    if (e.type !== 'Normal' && e.type !== 'Warning') problems.push({ field: 'type', message: `Invalid value: "": has invalid value: ${e.type ?? ''}` });
    if (!e.reason) required('reason');
  }
  if (problems.length) throw invalidFields(v1 ? 'Event.events.k8s.io' : 'Event', 'events', o.metadata.name ?? '', problems);
}
