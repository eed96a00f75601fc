import { describe, expect, it } from 'vitest';
import { growthPerDoubling } from '../src/stats/growth.js';
import { addSamples, median, pairedRatios, quantile, summarize } from '../src/stats/summary.js';

describe('summary statistics', () => {
  it('interpolates quantiles between order statistics', () => {
    expect(quantile([4, 1, 3, 2], 0)).toBe(1);
    expect(quantile([4, 1, 3, 2], 1)).toBe(4);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([10], 0.25)).toBe(10);
    expect(median([5, 1, 3])).toBe(3);
  });

  it('rejects empty samples and out-of-range quantiles', () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it('summarises with the median absolute deviation, robust to one outlier', () => {
    const s = summarize([10, 11, 12, 1000]);
    expect(s).toMatchObject({ n: 4, min: 10, max: 1000, median: 11.5 });
    expect(s.mad).toBe(1);
  });

  it('takes ratios per round before the median', () => {
    // Round 2 ran slow for both ways; per-round ratios stay 10.
    expect(pairedRatios([10, 100, 12], [1, 10, 1.2]).median).toBeCloseTo(10, 12);
    expect(() => pairedRatios([1, 2], [1])).toThrow(RangeError);
  });

  it('adds sample lists element-wise', () => {
    expect(addSamples([1, 2], [10, 20], [100, 200])).toEqual([111, 222]);
    expect(() => addSamples([1], [1, 2])).toThrow(RangeError);
  });
});

describe('growth per doubling', () => {
  it('recovers the exponent of exact power laws', () => {
    const sizes = [1, 2, 4, 8, 16];
    expect(growthPerDoubling(sizes.map((size) => ({ size, ms: 3 }))).perDoubling).toBeCloseTo(1, 12);
    expect(growthPerDoubling(sizes.map((size) => ({ size, ms: 3 * size }))).perDoubling).toBeCloseTo(2, 12);
    const quadratic = growthPerDoubling(sizes.map((size) => ({ size: size * size, ms: 5 * size * size * size * size })));
    expect(quadratic.perDoubling).toBeCloseTo(4, 10);
    expect(quadratic.exponent).toBeCloseTo(2, 10);
    expect(quadratic.r2).toBeCloseTo(1, 12);
  });

  it('works for sizes that are not powers of two', () => {
    const g = growthPerDoubling([7, 14, 28, 56].map((side) => ({ size: side * side, ms: side * side * 0.01 })));
    expect(g.perDoubling).toBeCloseTo(2, 10);
  });

  it('needs two different positive sizes', () => {
    expect(() => growthPerDoubling([{ size: 4, ms: 1 }])).toThrow(RangeError);
    expect(() => growthPerDoubling([{ size: 4, ms: 1 }, { size: 4, ms: 2 }])).toThrow(RangeError);
  });
});
