import { recordEvent, targetOf } from '../events.js';
import { now, ownedBy, phaseOf } from '../pods.js';
import type { SimRuntime } from '../runtime.js';
import type { KubeObject } from '../store.js';
import { podFromTemplate } from './workloads.js';

interface JobStatus {
  active?: number;
  terminating?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  startTime?: string;
  completionTime?: string;
  conditions?: { type: string; status: string; reason?: string; message?: string; lastProbeTime?: string; lastTransitionTime?: string }[];
}

const finished = (s: JobStatus) => (s.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

/**
 * Runs each Job as one pod at a time (completions 1), retrying up to
 * backoffLimit, and reports Complete or Failed conditions the way batch/v1 does.
 */
export function startJobController(rt: SimRuntime): void {
  const { store } = rt;
  const reconcile = (ns: string, name: string) => {
    const job = store.get('jobs', ns, name);
    if (!job) return;
    const status = (job.status ?? {}) as JobStatus;
    if (finished(status)) return;
    const pods = store.list('pods', ns, (p) => ownedBy(p, job));
    const deleting = (p: KubeObject) => !!p.metadata.deletionTimestamp;
    const succeeded = pods.filter((p) => phaseOf(p) === 'Succeeded').length;
    // A pod deleted before it succeeded counts as failed (podReplacementPolicy TerminatingOrFailed), as isPodFailed does.
    const failed = pods.filter((p) => phaseOf(p) === 'Failed' || (deleting(p) && phaseOf(p) !== 'Succeeded')).length;
    const active = pods.filter((p) => (phaseOf(p) === 'Pending' || phaseOf(p) === 'Running') && !deleting(p));
    const event = (type: 'Normal' | 'Warning', reason: string, message: string) =>
      recordEvent(store, targetOf('jobs', job), { type, reason, message, component: 'job-controller' });
    const backoffLimit = (job.spec as { backoffLimit?: number }).backoffLimit ?? 6;
    const t = now();
    const next: JobStatus = {
      ...status,
      startTime: status.startTime ?? t,
      succeeded,
      failed,
      active: active.length,
      terminating: pods.filter((p) => deleting(p) && phaseOf(p) !== 'Succeeded' && phaseOf(p) !== 'Failed').length,
      ready: active.filter((p) => phaseOf(p) === 'Running').length,
    };
    if (succeeded > 0) {
      next.active = 0;
      next.completionTime = t;
      next.conditions = [
        {
          type: 'SuccessCriteriaMet',
          status: 'True',
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
          lastProbeTime: t,
          lastTransitionTime: t,
        },
        {
          type: 'Complete',
          status: 'True',
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
          lastProbeTime: t,
          lastTransitionTime: t,
        },
      ];
      event('Normal', 'Completed', 'Job completed');
    } else if (failed > backoffLimit) {
      next.active = 0;
      next.conditions = [
        {
          type: 'FailureTarget',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
          lastProbeTime: t,
          lastTransitionTime: t,
        },
        {
          type: 'Failed',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
          lastProbeTime: t,
          lastTransitionTime: t,
        },
      ];
      event('Warning', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
    } else if (active.length === 0) {
      const pod = store.create('pods', podFromTemplate('jobs', job));
      event('Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      next.active = 1;
    }
    store.mutate('jobs', ns, name, (o: KubeObject) => {
      o.status = next;
    });
  };
  store.onChange((e) => {
    // a MODIFIED too: a restored cluster nudges its unfinished Jobs, whose pods may never have been created
    if (e.resource === 'jobs' && e.type !== 'DELETED')
      rt.enqueue(`job:${e.object.metadata.namespace}/${e.object.metadata.name}`, () => reconcile(e.object.metadata.namespace!, e.object.metadata.name));
    if (e.resource === 'pods') {
      for (const r of e.object.metadata.ownerReferences ?? []) {
        if (r.kind === 'Job') rt.enqueue(`job:${e.object.metadata.namespace}/${r.name}`, () => reconcile(e.object.metadata.namespace!, r.name));
      }
    }
  });
}
