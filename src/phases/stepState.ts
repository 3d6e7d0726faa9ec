import type { Upgrade } from '../domain/upgrade.js';
import type { Config } from '../config.js';

/** What the state machine needs to route: stop, poll, or go on to the upgrade's phase. */
export function stepState(u: Upgrade, config: Config, opts: { wait?: boolean; pollSeconds?: number } = {}) {
  const stop = u.status === 'paused' ? !u.cancelRequested : u.phase === 'done' || !['running', 'pausing'].includes(u.status);
  return {
    clusterId: u.clusterId,
    upgradeId: u.id,
    phase: u.phase,
    status: u.status,
    stop,
    wait: !stop && (opts.wait ?? false),
    pollSeconds: opts.pollSeconds ?? config.pollSeconds,
  };
}
