import { describe, expect, it } from 'vitest';
import { energyInside, heatmapPeak, pointingGameHit } from '../src/index.js';

describe('localisation metrics', () => {
  it('finds the heatmap peak as column and row, the first one on ties', () => {
    const heatmap = new Float32Array(12);
    heatmap[7] = 0.9;
    heatmap[10] = 0.9;
    expect(heatmapPeak(heatmap, 4)).toEqual({ index: 7, x: 3, y: 1 });
    expect(heatmapPeak(new Float32Array(6), 3)).toEqual({ index: 0, x: 0, y: 0 });
  });

  const mask = Uint8Array.from([0, 0, 1, 1, 0, 0]);
  it('pointing game hits when the maximum is inside the mask', () => {
    expect(pointingGameHit([0.1, 0.2, 0.9, 0.3, 0.1, 0], mask)).toBe(1);
    expect(pointingGameHit([0.1, 0.95, 0.9, 0.3, 0.1, 0], mask)).toBe(0);
    expect(pointingGameHit([0, 0, 0, 0, 0, 0], mask)).toBe(0);
  });
  it('energy share counts the mass inside the mask', () => {
    expect(energyInside([1, 0, 1, 2, 0, 0], mask)).toBeCloseTo(0.75);
    expect(energyInside([0, 0, 0, 0, 0, 0], mask)).toBe(0);
    expect(() => energyInside([1, 2], mask)).toThrow(/6/);
  });
});
