import { describe, expect, it } from '@jest/globals';
import { selectorMatches } from '../../../src/domain/labelSelector.js';

describe('labelSelector', () => {
  it('selects nothing with a null selector and everything with an empty one', () => {
    expect(selectorMatches(null, { app: 'x' })).toBe(false);
    expect(selectorMatches({}, { app: 'x' })).toBe(true);
  });
  it('applies matchLabels and every expression operator', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false);
    expect(
      selectorMatches(
        {
          matchExpressions: [
            { key: 'canary', operator: 'DoesNotExist' },
            { key: 'app', operator: 'Exists' },
          ],
        },
        labels,
      ),
    ).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'api' } }, labels)).toBe(false);
  });
});
