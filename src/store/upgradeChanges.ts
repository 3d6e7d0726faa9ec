import type { Upgrade } from '../domain/upgrade.js';

/**
 * Told after each successful write of an upgrade item, with the item before
 * (undefined when it was created) and after. The composition roots use it for
 * what follows a status change: notifications and the events' TTL.
 */
export type UpgradeChangeListener = (before: Upgrade | undefined, after: Upgrade) => Promise<void>;
