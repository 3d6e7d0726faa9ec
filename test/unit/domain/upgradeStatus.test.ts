import { describe, expect, it } from '@jest/globals';
import { IllegalTransitionError } from '../../../src/domain/errors.js';
import { allowedAction, assertPhase, assertTransition, canTransition, isTerminal, UPGRADE_STATUSES } from '../../../src/domain/upgradeStatus.js';

describe('upgradeStatus', () => {
  it.each([
    ['running', 'pausing'],
    ['running', 'paused'],
    ['running', 'succeeded'],
    ['running', 'failed'],
    ['pausing', 'paused'],
    ['pausing', 'cancelled'],
    ['paused', 'running'],
    ['paused', 'cancelled'],
    ['paused', 'expired'],
    ['scheduled', 'running'],
    ['scheduled', 'cancelled'],
  ] as const)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each([
    ['running', 'cancelled'],
    ['running', 'expired'],
    ['pausing', 'running'],
    ['paused', 'succeeded'],
    ['succeeded', 'running'],
    ['cancelled', 'paused'],
    ['failed', 'running'],
    ['expired', 'running'],
    ['scheduled', 'paused'],
    ['scheduled', 'succeeded'],
  ] as const)('rejects %s → %s', (from, to) => {
    expect(() => assertTransition(from, to)).toThrow(IllegalTransitionError);
  });

  it('has no way out of a terminal status', () => {
    for (const s of UPGRADE_STATUSES.filter(isTerminal)) {
      for (const t of UPGRADE_STATUSES) expect(canTransition(s, t)).toBe(false);
    }
    expect(UPGRADE_STATUSES.filter(isTerminal).sort()).toEqual(['cancelled', 'expired', 'failed', 'succeeded']);
  });

  it('moves phases forward one at a time, cancel jumping to cleanup', () => {
    expect(() => assertPhase('precheck', 'masters')).not.toThrow();
    expect(() => assertPhase('masters', 'cleanup')).not.toThrow();
    expect(() => assertPhase('precheck', 'nodes')).toThrow(IllegalTransitionError);
    expect(() => assertPhase('nodes', 'masters')).toThrow(IllegalTransitionError);
    expect(() => assertPhase('done', 'cleanup')).toThrow(IllegalTransitionError);
  });

  it('allows pause only while running, resume only while paused, cancel while scheduled, pausing or paused', () => {
    expect(UPGRADE_STATUSES.filter((s) => allowedAction('pause', s))).toEqual(['running']);
    expect(UPGRADE_STATUSES.filter((s) => allowedAction('resume', s))).toEqual(['paused']);
    expect(UPGRADE_STATUSES.filter((s) => allowedAction('cancel', s))).toEqual(['scheduled', 'pausing', 'paused']);
  });
});
