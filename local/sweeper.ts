import { sweep, type SweepContext } from '../src/expiry/sweep.js';

/** The local stand-in for the hourly EventBridge schedule: sweeps every `seconds`, one sweep at a time. */
export function startSweeper(ctx: SweepContext, seconds: number): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep(ctx)
      .then(({ started, paused }) => {
        for (const s of started) console.log(`sweeper: ${s.upgradeId} had no execution running it; started ${s.execution}`);
        for (const p of paused) console.error(`sweeper: ${p.upgradeId} paused (${p.reason}): no execution could be started`);
      })
      .catch((err: Error) => console.error(`sweeper: ${err.message}`))
      .finally(() => (running = false));
  }, seconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
