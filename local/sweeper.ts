import { sweepExpired } from '../src/expiry/sweep.js';
import type { CloseContext } from '../src/expiry/closeExpired.js';

/** The local stand-in for the hourly EventBridge schedule: sweeps every `seconds`, one sweep at a time. */
export function startSweeper(ctx: CloseContext, seconds: number, onClosed?: (ids: string[]) => void): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepExpired(ctx)
      .then(({ closed }) => closed.length && onClosed?.(closed))
      .catch((err: Error) => console.error(`sweeper: ${err.message}`))
      .finally(() => (running = false));
  }, seconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
