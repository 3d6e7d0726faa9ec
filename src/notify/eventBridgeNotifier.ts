import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, type Notifier, type StatusChange } from './notifier.js';

/** Publishes each status change on an EventBridge bus (source `kupgrade`, detail-type `Upgrade Status Changed`). */
export class EventBridgeNotifier implements Notifier {
  constructor(
    private readonly busName: string,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
  ) {}

  async publish(change: StatusChange): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: this.busName, Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE, Time: new Date(change.at), Detail: JSON.stringify(change) }],
      }),
    );
    if (out.FailedEntryCount) throw new Error(`EventBridge refused the status change of ${change.upgradeId}: ${out.Entries?.[0]?.ErrorMessage ?? 'unknown error'}`);
  }
}
