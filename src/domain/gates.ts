import { ANNOTATION_CORDONED_BY } from './clusterMarks.js';
import type { NodeInfo } from './clusterSnapshot.js';
import { isWithinWindow, nextWindowStart, type MaintenanceWindow } from './maintenanceWindow.js';
import type { Upgrade } from './upgrade.js';

/**
 * Gates are the conditions the cluster must meet before the next master or
 * worker batch starts, checked after the last batch validated. Like the
 * precheck's CHECKS, they are a list: a new gate is one entry here (and a
 * row in test/unit/domain/gates.test.ts).
 */
export interface GateInput {
  upgrade: Pick<Upgrade, 'id' | 'startedAt' | 'createdAt'>;
  kind: 'master' | 'worker';
  /** the nodes the next batch would take */
  nextBatch: readonly string[];
  nodes: readonly NodeInfo[];
  maintenanceWindow?: MaintenanceWindow;
  now: string;
}

/** A gate that holds: why, about what, and how long it may hold before the upgrade pauses (none: it waits as long as it takes). */
export interface GateHold {
  gate: string;
  /** CamelCase, also the error's reason when the hold times out */
  reason: string;
  /** the event written when the hold begins */
  eventType: string;
  message: string;
  /** the object it is about, e.g. node/worker-7 */
  object?: string;
  /** how long the hold may last, from when it began, before the upgrade pauses with it */
  timeout?: 'validation';
  /** when to look again at the latest: a window that opens at a known time is looked at then */
  untilIso?: string;
}

export interface Gate {
  name: string;
  appliesTo: ReadonlyArray<'master' | 'worker'>;
  check(input: GateInput): GateHold | undefined;
}

/** Outside the cluster's maintenance window no worker batch starts; it waits for the window, however long. */
const maintenanceWindowGate: Gate = {
  name: 'maintenance-window',
  appliesTo: ['worker'],
  check({ maintenanceWindow: window, now }) {
    if (!window || isWithinWindow(window, now)) return undefined;
    const nextStart = nextWindowStart(window, now);
    return {
      gate: 'maintenance-window',
      reason: 'MaintenanceWindow',
      eventType: 'WaitingForWindow',
      message: `outside the maintenance window: the next batch waits${nextStart ? ` until ${nextStart}` : ''}`,
      ...(nextStart ? { untilIso: nextStart } : {}),
    };
  },
};

/**
 * A node outside the next batch that was Ready when the upgrade began and is
 * not Ready now holds the batch back: taking more capacity away while some is
 * already missing is how an upgrade turns one broken node into an outage.
 * Nodes that joined after the upgrade began (still coming up), and nodes this
 * upgrade itself holds cordoned (an earlier attempt failed on them: they are
 * its own business, retried first), do not hold it.
 */
const nodesReadyGate: Gate = {
  name: 'nodes-ready',
  appliesTo: ['master', 'worker'],
  check({ upgrade, nextBatch, nodes }) {
    const began = upgrade.startedAt ?? upgrade.createdAt;
    const taking = new Set(nextBatch);
    const notReady = nodes.filter(
      (n) =>
        !n.ready &&
        !taking.has(n.name) &&
        n.annotations[ANNOTATION_CORDONED_BY] !== upgrade.id &&
        (n.createdAt === undefined || Date.parse(n.createdAt) <= Date.parse(began)),
    );
    if (notReady.length === 0) return undefined;
    const names = notReady.map((n) => n.name);
    return {
      gate: 'nodes-ready',
      reason: 'NodeNotReady',
      eventType: 'WaitingForNodes',
      message: `node${names.length > 1 ? 's' : ''} ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''} ${names.length > 1 ? 'were' : 'was'} Ready when the upgrade began and ${names.length > 1 ? 'are' : 'is'} not Ready now: the next batch waits`,
      object: `node/${names[0]}`,
      timeout: 'validation',
    };
  },
};

/** In the order they are asked: the first that holds is the one the upgrade shows. */
export const GATES: readonly Gate[] = [maintenanceWindowGate, nodesReadyGate];

export function firstHold(input: GateInput, gates: readonly Gate[] = GATES): GateHold | undefined {
  for (const gate of gates) {
    if (!gate.appliesTo.includes(input.kind)) continue;
    const hold = gate.check(input);
    if (hold) return hold;
  }
  return undefined;
}
