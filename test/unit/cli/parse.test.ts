import { describe, expect, it } from '@jest/globals';
import { parseDays } from '../../../cli/commands/window.js';
import { EXIT, exitCodeOf } from '../../../cli/exitCodes.js';
import { parseStartAt } from '../../../cli/parseTime.js';
import { duration } from '../../../cli/render/time.js';

describe('parseDays', () => {
  it.each([
    ['sat,sun', ['sat', 'sun']],
    ['mon-fri', ['mon', 'tue', 'wed', 'thu', 'fri']],
    ['fri-mon', ['fri', 'sat', 'sun', 'mon']],
    ['Saturday,sat', ['sat']],
  ])('reads %s', (text, days) => {
    expect(parseDays(text)).toEqual(days);
  });

  it('refuses what is not a day, as a usage error', () => {
    expect(() => parseDays('funday')).toThrow(expect.objectContaining({ exitCode: EXIT.usage }) as unknown as Error);
    expect(() => parseDays('sa')).toThrow('is not a day');
  });
});

describe('parseStartAt', () => {
  const now = Date.parse('2025-06-07T10:00:00Z');
  it('takes an offset from now or an ISO time in the future', () => {
    expect(parseStartAt('+30m', now)).toBe('2025-06-07T10:30:00.000Z');
    expect(parseStartAt('+1.5h', now)).toBe('2025-06-07T11:30:00.000Z');
    expect(parseStartAt('+1d', now)).toBe('2025-06-08T10:00:00.000Z');
    expect(parseStartAt('2025-06-08T01:00:00+02:00', now)).toBe('2025-06-07T23:00:00.000Z');
  });
  it('refuses a time in the past and what is not a time', () => {
    expect(() => parseStartAt('2025-06-07T09:59:59Z', now)).toThrow('not in the future');
    expect(() => parseStartAt('tomorrow', now)).toThrow('not a time');
  });
});

describe('exitCodeOf', () => {
  it.each([
    [{ status: 'succeeded', error: null }, EXIT.ok],
    [{ status: 'running', error: null }, EXIT.ok],
    [{ status: 'scheduled', error: null }, EXIT.ok],
    [{ status: 'failed', error: { reason: 'PrecheckFailed', message: '' } }, EXIT.failed],
    [{ status: 'paused', error: { reason: 'NodeUpgradeFailed', message: '' } }, EXIT.pausedByError],
    [{ status: 'paused', error: null }, EXIT.pausedOnRequest],
    [{ status: 'cancelled', error: { reason: 'Cancelled', message: '' } }, EXIT.cancelled],
    [{ status: 'expired', error: null }, EXIT.expired],
  ] as const)('%j exits %i', (u, code) => {
    expect(exitCodeOf(u)).toBe(code);
  });
});

describe('duration', () => {
  it.each([
    [0, '0s'],
    [45_400, '45s'],
    [192_000, '3m 12s'],
    [3_600_000, '1h'],
    [7_500_000, '2h 5m'],
    [90_061_000, '1d 1h'],
  ])('%i ms is %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});
