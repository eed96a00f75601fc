import { describe, expect, it } from 'vitest';
import { shapeText } from '../src/tfjs/shape-text.js';

describe('shapeText', () => {
  it('writes dynamic dimensions as ?, never as empty slots', () => {
    expect(shapeText([null, null, null, 3] as unknown as number[])).toBe('[?, ?, ?, 3]');
    expect(shapeText([-1, 224, 224, 3])).toBe('[?, 224, 224, 3]');
    expect(shapeText([undefined, NaN, 0, 5])).toBe('[?, ?, 0, 5]');
    expect(shapeText(undefined)).toBe('[unknown rank]');
  });
});
