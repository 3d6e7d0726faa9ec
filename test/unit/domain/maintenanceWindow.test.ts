import { describe, expect, it } from '@jest/globals';
import { isWithinWindow, MaintenanceWindowSchema, nextWindowStart } from '../../../src/domain/maintenanceWindow.js';

describe('maintenanceWindow', () => {
  const weekendNights = MaintenanceWindowSchema.parse({ days: ['sat', 'sun'], start: '22:00', end: '04:00', timeZone: 'Europe/Paris' });

  it('is open inside the hours of a listed day, in the window’s time zone', () => {
    // Saturday 2026-11-28 22:30 in Paris is 21:30 UTC
    expect(isWithinWindow(weekendNights, '2026-11-28T21:30:00Z')).toBe(true);
    expect(isWithinWindow(weekendNights, '2026-11-28T20:30:00Z')).toBe(false);
  });
  it('runs past midnight into the next day', () => {
    // Sunday 03:30 Paris (started Saturday night) and Monday 03:30 Paris (started Sunday night)
    expect(isWithinWindow(weekendNights, '2026-11-29T02:30:00Z')).toBe(true);
    expect(isWithinWindow(weekendNights, '2026-11-30T02:30:00Z')).toBe(true);
    // Tuesday 03:30 Paris: Monday is not a window day
    expect(isWithinWindow(weekendNights, '2026-12-01T02:30:00Z')).toBe(false);
  });
  it('finds the next opening', () => {
    expect(nextWindowStart(weekendNights, '2026-11-25T10:00:00Z')).toBe('2026-11-28T21:00:00.000Z');
  });
  it('rejects a bad window with the field named', () => {
    const bad = MaintenanceWindowSchema.safeParse({ days: ['sat'], start: '25:00', end: '04:00', timeZone: 'Mars/Olympus' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['start', 'timeZone']);
    expect(MaintenanceWindowSchema.safeParse({ days: ['sat'], start: '01:00', end: '04:00', timeZone: 'UTC', extra: 1 }).success).toBe(false);
  });
});
