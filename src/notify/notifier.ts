import type { UpgradeError } from '../domain/upgrade.js';

/** One change of an upgrade's status, as published for users to route (SNS, chat, paging). */
export interface StatusChange {
  clusterId: string;
  upgradeId: string;
  /** null when the upgrade was just created */
  from: string | null;
  to: string;
  phase: string;
  toVersion: string;
  error?: UpgradeError;
  at: string;
}

export interface Notifier {
  publish(change: StatusChange): Promise<void>;
}

export const EVENT_SOURCE = 'kupgrade';
export const EVENT_DETAIL_TYPE = 'Upgrade Status Changed';

/** The local stack keeps what it would have published, and tells whoever listens. */
export class MemoryNotifier implements Notifier {
  readonly published: StatusChange[] = [];
  constructor(private readonly onPublish?: (change: StatusChange) => void) {}
  async publish(change: StatusChange): Promise<void> {
    this.published.push(change);
    this.onPublish?.(change);
  }
}
