import { describe, expect, it } from '@jest/globals';
import { DEFAULT_RETRY_LIMITS, retryDelayMs, type RetryLimits } from '../../../src/domain/retryPolicy.js';

const limits: RetryLimits = { retries: 3, baseDelayMs: 200, maxDelayMs: 5_000, budgetMs: 30_000 };
const first = { retriesDone: 0, sleptMs: 0 };

describe('retryDelayMs: whether a failed request to the API server is tried again, and when', () => {
  it('waits what a 429 Retry-After asks, never less than the backoff', () => {
    expect(retryDelayMs({ status: 429, retryAfter: '1' }, first, limits)).toBe(1_000);
    expect(retryDelayMs({ status: 429, retryAfter: ' 2 ' }, { retriesDone: 1, sleptMs: 1_000 }, limits)).toBe(2_000);
    // Retry-After: 0 still backs off
    expect(retryDelayMs({ status: 429, retryAfter: '0' }, first, limits)).toBe(200);
  });

  it("falls back to the Status body's retryAfterSeconds, then to the backoff (an HTTP date is not honoured)", () => {
    expect(retryDelayMs({ status: 429, retryAfterSeconds: 3 }, first, limits)).toBe(3_000);
    expect(retryDelayMs({ status: 429, retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' }, first, limits)).toBe(200);
    expect(retryDelayMs({ status: 429 }, first, limits)).toBe(200);
  });

  it('caps a long Retry-After at maxDelayMs', () => {
    expect(retryDelayMs({ status: 429, retryAfter: '120' }, first, limits)).toBe(5_000);
  });

  it('retries 500, 502, 503 and 504 with a doubling backoff', () => {
    for (const status of [500, 502, 503, 504]) expect(retryDelayMs({ status }, first, limits)).toBe(200);
    expect([0, 1, 2].map((retriesDone) => retryDelayMs({ status: 500 }, { retriesDone, sleptMs: 0 }, limits))).toEqual([200, 400, 800]);
  });

  it('never retries an eviction a PodDisruptionBudget refused, 429 or 500', () => {
    expect(retryDelayMs({ status: 429, retryAfter: '1', budgetRefusal: true }, first, limits)).toBeUndefined();
    expect(retryDelayMs({ status: 500, budgetRefusal: true }, first, limits)).toBeUndefined();
  });

  it('never retries answers that will not change: 400, 401, 403, 404, 409, 410, 422', () => {
    for (const status of [400, 401, 403, 404, 409, 410, 422]) expect(retryDelayMs({ status }, first, limits)).toBeUndefined();
  });

  it('retries a dropped connection, not a refused one, a timeout or a TLS failure', () => {
    expect(retryDelayMs({ errorCodes: ['UND_ERR_SOCKET'], errorMessages: ['fetch failed', 'other side closed'] }, first, limits)).toBe(200);
    expect(retryDelayMs({ errorCodes: ['ECONNRESET'] }, first, limits)).toBe(200);
    expect(retryDelayMs({ errorMessages: ['socket hang up'] }, first, limits)).toBe(200);
    expect(retryDelayMs({ errorCodes: ['ECONNREFUSED'], errorMessages: ['connect ECONNREFUSED'] }, first, limits)).toBeUndefined();
    expect(retryDelayMs({ errorCodes: ['UND_ERR_CONNECT_TIMEOUT'] }, first, limits)).toBeUndefined();
    expect(retryDelayMs({ errorCodes: ['DEPTH_ZERO_SELF_SIGNED_CERT'] }, first, limits)).toBeUndefined();
    expect(retryDelayMs({}, first, limits)).toBeUndefined();
  });

  it('gives up once the retries are spent', () => {
    expect(retryDelayMs({ status: 503 }, { retriesDone: 2, sleptMs: 0 }, limits)).toBe(800);
    expect(retryDelayMs({ status: 503 }, { retriesDone: 3, sleptMs: 0 }, limits)).toBeUndefined();
  });

  it("gives up when the wait would overrun the driver's budget", () => {
    expect(retryDelayMs({ status: 429, retryAfter: '5' }, { retriesDone: 0, sleptMs: 25_000 }, limits)).toBe(5_000);
    expect(retryDelayMs({ status: 429, retryAfter: '5' }, { retriesDone: 0, sleptMs: 25_001 }, limits)).toBeUndefined();
  });

  it('keeps the defaults well inside a phase Lambda (290 s): every wait of a step adds up to at most 30 s', () => {
    expect(DEFAULT_RETRY_LIMITS.retries * DEFAULT_RETRY_LIMITS.maxDelayMs).toBeLessThanOrEqual(DEFAULT_RETRY_LIMITS.budgetMs);
    expect(DEFAULT_RETRY_LIMITS.budgetMs).toBeLessThanOrEqual(30_000);
  });
});
