import { describe, expect, it } from 'vitest';
import { byteDifferences, relativeL2 } from '../src/reference/index.js';

describe('relative L2 and byte differences', () => {
  it('is zero for equal arrays and relative otherwise', () => {
    expect(relativeL2([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(relativeL2([3, 4], [0, 0])).toBe(5);
    expect(relativeL2([0, 0], [0, 0])).toBe(0);
    expect(relativeL2([1.1, 0], [1, 0])).toBeCloseTo(0.1, 12);
    expect(relativeL2([Number.NaN], [1])).toBeNaN();
    expect(() => relativeL2([1], [1, 2])).toThrow(RangeError);
  });

  it('counts differing bytes and the largest difference', () => {
    expect(byteDifferences(new Uint8Array([1, 2, 3]), new Uint8Array([1, 4, 2]))).toEqual({ max: 2, count: 2 });
  });
});
