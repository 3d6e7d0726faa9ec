import { retryDelayMs, type RequestFailure, type RetryLimits } from '../domain/retryPolicy.js';
import { failureOf } from './k8sErrors.js';

/**
 * Runs a request, trying it again after a transient failure as
 * src/domain/retryPolicy.ts decides. A thrown error is judged by failureOf; an
 * answer that is returned rather than thrown (a raw GET) by `answerFailure`.
 * What is still failing after the retries is thrown or returned as it came.
 */
export type Retry = <T>(run: () => Promise<T>, answerFailure?: (answer: T) => RequestFailure | undefined) => Promise<T>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One per driver: the waits of all its requests share the limits' budget. */
export function createRetry(limits: RetryLimits): Retry {
  let sleptMs = 0;
  return async (run, answerFailure) => {
    for (let retriesDone = 0; ; retriesDone++) {
      let delay: number | undefined;
      try {
        const answer = await run();
        const failure = answerFailure?.(answer);
        delay = failure && retryDelayMs(failure, { retriesDone, sleptMs }, limits);
        if (delay === undefined) return answer;
      } catch (e) {
        delay = retryDelayMs(failureOf(e), { retriesDone, sleptMs }, limits);
        if (delay === undefined) throw e;
      }
      sleptMs += delay;
      await sleep(delay);
    }
  };
}
