import { closeExpiredUpgrade } from '../../src/expiry/closeExpired.js';
import { ttlDeletedUpgrades } from '../../src/expiry/ttlRecords.js';
import { logger, phaseContext } from '../../src/phases/runtime.js';
import { kubernetesDrivers } from '../../src/phases/kubernetesDrivers.js';
import { EventBridgeNotifier } from '../../src/notify/eventBridgeNotifier.js';

/** DynamoDB Streams: closes an upgrade whose item TTL deleted; deletions by users are ignored. */
export const handler = async (event: unknown): Promise<{ closed: string[] }> => {
  const ctx = phaseContext({ drivers: kubernetesDrivers, notifier: EventBridgeNotifier });
  const closed: string[] = [];
  for (const old of ttlDeletedUpgrades(event)) {
    const outcome = await closeExpiredUpgrade(ctx, { clusterId: old.clusterId, upgradeId: old.id }, old);
    if (outcome === 'closed') closed.push(old.id);
  }
  if (closed.length) logger.info('closed upgrades removed by TTL', { closed });
  return { closed };
};
