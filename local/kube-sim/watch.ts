import type { ServerResponse } from 'node:http';
import type { Change, History } from './history.js';
import { apiVersionOf, present, type ResourceDef } from './registry.js';
import type { Predicate } from './selectors.js';
import { failureStatus } from './status.js';
import type { KubeObject, ObjectStore } from './store.js';
import { toTable, type IncludeObject } from './table.js';

export interface WatchParams {
  def: ResourceDef;
  namespace?: string;
  predicate: Predicate;
  /** '' or '0': start with the current state as ADDED events */
  resourceVersion: string;
  sendInitialEvents: boolean;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  table?: { include: IncludeObject };
}

/**
 * Watch as kube-apiserver serves it: a chunked stream of JSON lines
 * `{"type","object"}` from a resourceVersion on, replayed from the store's
 * history so a client that listed at rv N misses nothing; a compacted
 * resourceVersion gets the 410 Gone error event real servers send.
 */
export class WatchHub {
  private readonly live = new Set<{ send: (e: Change) => void; end: () => void }>();

  constructor(
    private readonly store: ObjectStore,
    private readonly history: History,
  ) {
    store.onChange((e) => {
      const change = { ...e, rv: Number(e.object.metadata.resourceVersion), at: Date.now() };
      for (const w of this.live) w.send(change);
    });
  }

  serve(res: ServerResponse, p: WatchParams): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    let first = true;
    const write = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    const emit = (type: string, o: KubeObject) => {
      const object = p.table ? toTable(p.def, [o], { include: p.table.include, columns: first }) : present(p.def, o);
      first = false;
      write(type, object);
    };
    const inScope = (o: KubeObject) => p.namespace === undefined || o.metadata.namespace === p.namespace;
    const deliver = (e: Change) => {
      if (e.resource !== p.def.storage || !inScope(e.object)) return;
      const now = p.predicate(e.object);
      const before = e.type === 'MODIFIED' && e.old ? p.predicate(e.old) : now;
      // An object leaving or entering the selection is a DELETED or ADDED to this watcher.
      if (e.type === 'MODIFIED' && before !== now) emit(now ? 'ADDED' : 'DELETED', e.object);
      else if (now) emit(e.type, e.object);
    };
    const bookmark = (annotations?: Record<string, string>) => {
      if (!p.table)
        write('BOOKMARK', {
          kind: p.def.kind,
          apiVersion: apiVersionOf(p.def),
          metadata: { resourceVersion: this.store.resourceVersion, ...(annotations ? { annotations } : {}) },
        });
    };

    const rv = p.resourceVersion;
    if (rv === '' || rv === '0' || p.sendInitialEvents) {
      for (const o of this.store.list(p.def.storage, p.namespace, p.predicate)) emit('ADDED', o);
      if (p.sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      const from = Number(rv);
      const replay = Number.isInteger(from) ? this.history.since(from) : undefined;
      if (!replay) {
        write('ERROR', failureStatus(410, 'Expired', `too old resource version: ${rv} (${this.history.compactedRv})`));
        res.end();
        return;
      }
      for (const e of replay) deliver(e);
    }

    let timer: NodeJS.Timeout | undefined;
    const watcher = {
      send: deliver,
      end: () => {
        if (!this.live.delete(watcher)) return;
        clearTimeout(timer);
        res.end();
      },
    };
    this.live.add(watcher);
    res.on('close', () => watcher.end());
    if (p.timeoutSeconds && p.timeoutSeconds > 0) timer = setTimeout(() => watcher.end(), p.timeoutSeconds * 1000);
    if (p.allowBookmarks) bookmark();
  }

  /** Ends every open watch cleanly (a terminated chunked body), before the server closes. */
  close(): void {
    for (const w of [...this.live]) w.end();
  }
}
