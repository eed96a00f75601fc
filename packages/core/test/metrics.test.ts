import { describe, expect, it } from 'vitest';
import { energyInside, pointingGameHit } from '../src/index.js';

describe('localisation metrics', () => {
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
