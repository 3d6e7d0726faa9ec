import type { StatusChange } from '../domain/outbox.js';

export type { StatusChange };

/** Publishes status changes; answers the ids it delivered (a partial failure delivers some). */
export interface Notifier {
  publish(changes: readonly StatusChange[]): Promise<string[]>;
}

export const EVENT_SOURCE = 'kupgrade';
export const EVENT_DETAIL_TYPE = 'Upgrade Status Changed';

/** The local stack keeps what it would have published, and tells whoever listens. */
export class MemoryNotifier implements Notifier {
  readonly published: StatusChange[] = [];
  constructor(private readonly onPublish?: (change: StatusChange) => void) {}
  async publish(changes: readonly StatusChange[]): Promise<string[]> {
    for (const change of changes) {
      this.published.push(change);
      this.onPublish?.(change);
    }
    return changes.map((c) => c.id);
  }
}
