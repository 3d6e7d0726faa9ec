import type { ResourceName } from './registry.js';
import type { KubeObject, ObjectStore, StoreEvent } from './store.js';

export interface Change extends StoreEvent {
  rv: number;
  at: number;
}

export interface HistoryLimits {
  /** changes kept at most (a busy cluster compacts sooner) */
  maxChanges: number;
  /** how long a past resourceVersion stays readable, as etcd keeps revisions until its periodic compaction */
  maxAgeMs: number;
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * The store's recent changes, as etcd's revisions: a watch replays them from a
 * resourceVersion, and a list (a continue token, resourceVersionMatch=Exact)
 * reads a resource as it was at one. Older revisions are compacted away; a
 * request for one answers 410 Gone.
 */
export class History {
  private log: Change[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly limits: HistoryLimits,
  ) {
    store.onChange((e) => {
      this.log.push({ ...e, rv: Number(e.object.metadata.resourceVersion), at: Date.now() });
      this.trim();
    });
  }

  private trim(): void {
    const cutoff = Date.now() - this.limits.maxAgeMs;
    let drop = Math.max(0, this.log.length - this.limits.maxChanges);
    while (drop < this.log.length && this.log[drop]!.at < cutoff) drop++;
    if (drop > 0) this.log.splice(0, drop);
  }

  /** Every resourceVersion up to this one is gone (the present state is always readable). */
  get compactedRv(): number {
    this.trim();
    return this.log.length ? this.log[0]!.rv - 1 : Number(this.store.resourceVersion);
  }

  /** Changes after rv, oldest first; undefined when rv has been compacted. */
  since(rv: number): Change[] | undefined {
    if (rv < this.compactedRv) return undefined;
    return this.log.filter((c) => c.rv > rv);
  }

  /** The objects of a resource as they were at rv (undefined: compacted), rebuilt by undoing the changes since. */
  at(resource: ResourceName, rv: number): KubeObject[] | undefined {
    const later = this.since(rv);
    if (!later) return undefined;
    const state = new Map(this.store.list(resource).map((o) => [keyOf(o), o]));
    for (const c of later.reverse()) {
      if (c.resource !== resource) continue;
      if (c.type === 'ADDED') state.delete(keyOf(c.object));
      else if (c.old) state.set(keyOf(c.old), c.old);
    }
    return [...state.values()];
  }

  /** Compacts every revision before the present one (a test's way to make continue tokens and old watches expire). */
  compact(): void {
    this.log = [];
  }

  private tokenFault = false;

  /** Test-only fault: the next list with a continue token finds its revision compacted, as after a compaction between two pages. */
  expireNextContinue(): void {
    this.tokenFault = true;
  }

  /** Whether a continue token read now meets that fault (it is used up). */
  takeContinueFault(): boolean {
    const hit = this.tokenFault;
    this.tokenFault = false;
    return hit;
  }
}
