import type { UpgradeEvent } from './upgrade.js';

/** A Kubernetes Event on a Node, as kubectl drain and kured users expect to see an upgrade in `kubectl describe node`. */
export interface NodeEventSpec {
  node: string;
  reason: string;
  type: 'Normal' | 'Warning';
  /** what kupgrade did or tried: Cordon, Drain, Upgrade, Uncordon */
  action: string;
  note: string;
}

const KINDS: Record<string, { reason?: string; type: 'Normal' | 'Warning'; action: string }> = {
  NodeCordoned: { type: 'Normal', action: 'Cordon' },
  DrainBlocked: { type: 'Warning', action: 'Drain' },
  PodTerminating: { type: 'Warning', action: 'Drain' },
  NodeDrained: { type: 'Normal', action: 'Drain' },
  JobStarted: { reason: 'UpgradeJobStarted', type: 'Normal', action: 'Upgrade' },
  JobPending: { type: 'Warning', action: 'Upgrade' },
  NodeUpgraded: { type: 'Normal', action: 'Upgrade' },
  NodeFailed: { reason: 'NodeUpgradeFailed', type: 'Warning', action: 'Upgrade' },
  NodeUncordoned: { type: 'Normal', action: 'Uncordon' },
};

/** The Kubernetes Event an upgrade event about a node's step becomes, or undefined for the others. */
export function nodeEventFor(e: UpgradeEvent): NodeEventSpec | undefined {
  const kind = KINDS[e.type];
  if (!kind || !e.node) return undefined;
  return { node: e.node, reason: kind.reason ?? e.type, type: kind.type, action: kind.action, note: e.message };
}
