import { requestCancel, requestPause, markResumed } from './upgradeLifecycle.js';
import type { Upgrade } from './upgrade.js';

export interface Actions {
  pause: boolean;
  resume: boolean;
  cancel: boolean;
}

/**
 * Which of the user's actions the API would accept now: exactly whether the
 * domain's own transition would, so a console or a CLI never offers what the
 * API then refuses, nor hides what it would take.
 */
export function acceptedActions(u: Upgrade, now: string): Actions {
  const accepts = (transition: () => unknown) => {
    try {
      transition();
      return true;
    } catch {
      return false;
    }
  };
  return {
    pause: accepts(() => requestPause(u, now)),
    resume: accepts(() => markResumed(u, now)),
    cancel: accepts(() => requestCancel(u, now)),
  };
}
