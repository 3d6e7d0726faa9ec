import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, type Notifier, type StatusChange } from './notifier.js';

/** PutEvents takes at most 10 entries. */
const ENTRIES_PER_CALL = 10;

/**
 * Publishes status changes on an EventBridge bus (source `kupgrade`,
 * detail-type `Upgrade Status Changed`); the detail carries the change's
 * stable `id`, for consumers that drop duplicates. Answers the ids EventBridge accepted: an entry it refused
 * (FailedEntryCount) stays in the outbox for the next drain.
 */
export class EventBridgeNotifier implements Notifier {
  constructor(
    private readonly busName: string,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
  ) {}

  async publish(changes: readonly StatusChange[]): Promise<string[]> {
    const delivered: string[] = [];
    for (let i = 0; i < changes.length; i += ENTRIES_PER_CALL) {
      const chunk = changes.slice(i, i + ENTRIES_PER_CALL);
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: chunk.map((change) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: EVENT_DETAIL_TYPE,
            Time: new Date(change.at),
            Detail: JSON.stringify(change),
          })),
        }),
      );
      // each answer entry matches its request entry by position; a failed one has an ErrorCode
      chunk.forEach((change, k) => {
        const refused = out.Entries ? !out.Entries[k] || !!out.Entries[k].ErrorCode : !!out.FailedEntryCount;
        if (!refused) delivered.push(change.id);
      });
    }
    return delivered;
  }
}
