import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  data?: T;
  error?: Error;
  /** read again now (after an action) */
  refresh(): void;
}

/**
 * Reads `load` now and again every `everyMs(data)` milliseconds: a few
 * seconds while something moves, rarely when idle, and not at all while the
 * tab is hidden (it reads once more when the tab comes back).
 */
export function usePoll<T>(load: () => Promise<T>, everyMs: (data: T | undefined) => number, deps: readonly unknown[]): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: Error }>({});
  const [tick, setTick] = useState(0);
  const latest = useRef<T | undefined>(undefined);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      timer = undefined;
      if (document.hidden) return;
      try {
        const data = await load();
        if (stopped) return;
        latest.current = data;
        setState({ data });
      } catch (err) {
        if (stopped) return;
        setState((s) => ({ data: s.data, error: err as Error }));
      }
      if (!stopped) timer = setTimeout(() => void run(), everyMs(latest.current));
    };
    const onVisible = () => {
      if (!document.hidden && timer === undefined) void run();
    };
    document.addEventListener('visibilitychange', onVisible);
    void run();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [...deps, tick]);
  return { ...state, refresh };
}
