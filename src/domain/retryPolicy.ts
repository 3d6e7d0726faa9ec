/**
 * Whether a failed request to a cluster's API server is tried again, and
 * after how long. An overloaded or restarting API server (429, 500, 502, 503,
 * 504) or a connection that dropped mid-request usually answers the next try;
 * surfacing each one as an error would pause the upgrade for an operator to
 * resume. Every request the driver makes is safe to send twice: reads, and
 * writes that are conditional (a resourceVersion) or named (a second create
 * is a 409 the driver already takes as done).
 */

/** What a failed request looked like, as far as the decision needs it. */
export interface RequestFailure {
  /** the HTTP status, when the server answered */
  status?: number;
  /** the Retry-After header (seconds; an HTTP date is not honoured, the backoff applies) */
  retryAfter?: string;
  /** details.retryAfterSeconds of the server's Status body */
  retryAfterSeconds?: number;
  /** an eviction a PodDisruptionBudget refused (429, or 500 with several budgets): an answer to report, not an overload to wait out */
  budgetRefusal?: boolean;
  /** the codes of the error and its causes (ECONNRESET, UND_ERR_SOCKET, …) */
  errorCodes?: string[];
  /** the messages of the error and its causes */
  errorMessages?: string[];
}

export interface RetryLimits {
  /** tries after the first: a request is sent at most retries + 1 times */
  retries: number;
  /** the wait before the first retry, doubled for each later one */
  baseDelayMs: number;
  /** no single wait is longer, whatever Retry-After asks */
  maxDelayMs: number;
  /** the waits of one driver (one phase step) add up to no more: the step stays well inside its Lambda's timeout */
  budgetMs: number;
}

/** At most 3 retries, 5 s each, 30 s in all per step: a phase Lambda has 290 s. */
export const DEFAULT_RETRY_LIMITS: RetryLimits = { retries: 3, baseDelayMs: 200, maxDelayMs: 5_000, budgetMs: 30_000 };

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** a connection reset or closed by the other side; not a refused connection, a timeout or a TLS failure (retrying those at once does not help) */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const RESET_MESSAGE = /socket hang up|other side closed/i;

function transient(f: RequestFailure): boolean {
  if (f.status !== undefined) return RETRYABLE_STATUS.has(f.status) && !f.budgetRefusal;
  return (f.errorCodes ?? []).some((c) => RESET_CODES.has(c)) || (f.errorMessages ?? []).some((m) => RESET_MESSAGE.test(m));
}

/** The server's own wait in ms (header first, then the Status body), or undefined. */
function serverWaitMs(f: RequestFailure): number | undefined {
  const header = f.retryAfter?.trim();
  if (header && /^\d+$/.test(header)) return Number(header) * 1000;
  if (f.retryAfterSeconds !== undefined && f.retryAfterSeconds >= 0) return f.retryAfterSeconds * 1000;
  return undefined;
}

/**
 * The wait before trying a failed request again, or undefined to give up:
 * not transient, `retries` used, or the wait would overrun the budget.
 * `retriesDone` counts the retries already made for this request, `sleptMs`
 * the waits the driver has already spent.
 */
export function retryDelayMs(
  failure: RequestFailure,
  state: { retriesDone: number; sleptMs: number },
  limits: RetryLimits = DEFAULT_RETRY_LIMITS,
): number | undefined {
  if (!transient(failure) || state.retriesDone >= limits.retries) return undefined;
  const backoff = limits.baseDelayMs * 2 ** state.retriesDone;
  // honour the server's wait, but never wait less than the backoff, nor more than the cap
  const delay = Math.min(Math.max(serverWaitMs(failure) ?? 0, backoff), limits.maxDelayMs);
  return state.sleptMs + delay > limits.budgetMs ? undefined : delay;
}
