import type { ObjectStore } from './store.js';

export interface SimTimings {
  /** how long the simulated kubelet takes to run an upgrade Job's pod */
  upgradeMs: number;
  /** how long a replacement pod takes to become Ready (after an eviction or a scale-up) */
  rescheduleMs: number;
  /** simulated milliseconds per second of a pod's grace period (1000 = real time) */
  gracePeriodMsPerSecond: number;
  /** how often each kubelet renews its node Lease (a real kubelet: every 10 s) */
  leaseRenewMs: number;
}

/**
 * What the controllers share: the store, the timings, the server version the
 * first master's upgrade bumps, and timers that all stop on close.
 */
export class SimRuntime {
  gitVersion: string;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  readonly errors: unknown[] = [];
  /** how many times an upgrade Job's pod upgraded each node (test introspection: "every node once") */
  readonly upgradesByNode = new Map<string, number>();

  constructor(
    readonly store: ObjectStore,
    readonly timings: SimTimings,
    version: string,
  ) {
    this.gitVersion = `v${version.replace(/^v/, '')}`;
  }

  /** Runs fn after ms (0 = on the next turn), never after close; errors are kept, not thrown. */
  later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.closed) return;
      try {
        fn();
      } catch (e) {
        this.errors.push(e);
      }
    }, ms);
    this.timers.add(t);
  }

  private readonly queued = new Set<string>();
  /** While true (seeding), pods start at once so the cluster begins settled. */
  booting = false;
  /** The readiness check /readyz reports as failed, if any (a test-only fault). */
  readyzFailure: string | undefined;

  /**
   * Schedules a level-triggered reconcile once per key: however many events
   * arrive before it runs, it runs once and reads the state as it is then.
   */
  enqueue(key: string, fn: () => void): void {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.later(0, () => {
      this.queued.delete(key);
      fn();
    });
  }

  /** True when no reconcile is waiting to run. */
  get idle(): boolean {
    return this.queued.size === 0;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

export function versionInfo(gitVersion: string): Record<string, string> {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? '1',
    minor: m?.[2] ?? '0',
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-08-14T00:00:00Z',
    goVersion: 'go1.22.5',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
