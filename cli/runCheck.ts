import ora from 'ora';
import type { Check } from '../src/client/apiClient.js';
import { call } from './api.js';
import type { Ctx } from './context.js';
import { sleep } from './follow.js';

/** Runs the upgrade check (read-only) and waits for its report, with a spinner for a person at a terminal. */
export async function runCheck(ctx: Ctx, clusterId: string, targetVersion: string): Promise<Check> {
  const spinner = ctx.out.interactive ? ora({ text: `checking ${clusterId} for ${targetVersion}`, stream: ctx.io.stderr }).start() : undefined;
  try {
    let check = await call(ctx, ctx.client.POST('/clusters/{clusterId}/checks', { params: { path: { clusterId } }, body: { targetVersion } }));
    while (check.status === 'running') {
      await sleep(ctx.intervalMs);
      check = await call(ctx, ctx.client.GET('/clusters/{clusterId}/checks/{checkId}', { params: { path: { clusterId, checkId: check.id } } }));
    }
    return check;
  } finally {
    spinner?.stop();
  }
}
