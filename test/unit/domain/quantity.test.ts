import { describe, expect, it } from '@jest/globals';
import { cpuMillis, memoryBytes, parseQuantity } from '../../../src/domain/quantity.js';

describe('quantity', () => {
  it.each([
    ['250m', 0.25],
    ['1.5', 1.5],
    ['16Mi', 16 * 2 ** 20],
    ['1G', 1e9],
    ['1e3', 1000],
    ['100k', 1e5],
  ])('parses %s', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value);
  });
  it('returns undefined for text that is not a quantity, and 0 from the helpers', () => {
    expect(parseQuantity('lots')).toBeUndefined();
    expect(cpuMillis('lots')).toBe(0);
    expect(cpuMillis('2')).toBe(2000);
    expect(memoryBytes('16272184Ki')).toBe(16272184 * 1024);
  });
});
