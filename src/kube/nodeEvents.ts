import { randomBytes } from 'node:crypto';
import type { ConfigurationOptions, EventsV1Api } from '@kubernetes/client-node';
import type { NodeEventSpec } from '../domain/nodeEvents.js';

type Call = <T>(fn: (o: ConfigurationOptions) => Promise<T>, tolerate?: number[]) => Promise<T | undefined>;

/** A MicroTime as the API server parses it: RFC 3339 with six fractional digits. */
const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * Records an events.k8s.io/v1 Event about a Node, with kupgrade as the
 * reporting controller. An Event about a cluster-scoped object must live in
 * `default` (or kube-system): the API server refuses it elsewhere; the
 * kubelet's node events are there too.
 */
const NODE_EVENT_NAMESPACE = 'default';
export function nodeEventRecorder(args: { events: EventsV1Api; call: Call; uidOf: (node: string) => Promise<string | undefined>; instance: string }) {
  return async (e: NodeEventSpec): Promise<void> => {
    const uid = await args.uidOf(e.node);
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      // at most 253 characters, and a valid name: a long node name is cut before the suffix
      metadata: { name: `${e.node.slice(0, 253 - 20).replace(/[.-]+$/, '')}.kupgrade.${randomBytes(5).toString('hex')}`, namespace: NODE_EVENT_NAMESPACE },
      // a MicroTime string: the client passes through a type it does not know
      eventTime: microTime(new Date()) as unknown as Date,
      reportingController: 'kupgrade',
      reportingInstance: args.instance,
      action: e.action,
      reason: e.reason,
      type: e.type,
      note: e.note.slice(0, 1024),
      regarding: { apiVersion: 'v1', kind: 'Node', name: e.node, ...(uid ? { uid } : {}) },
    };
    // 409: a retry after a lost answer found the Event the first try made (its name is random, so it is ours)
    await args.call((o) => args.events.createNamespacedEvent({ namespace: NODE_EVENT_NAMESPACE, body }, o), [409]);
  };
}
