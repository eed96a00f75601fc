import { describe, expect, it } from 'vitest';
import { fitWithin, frameReady, frameSize, MAX_TAPS, normalizationVectors, samplingTaps, SIGNED_UNIT_RANGE, UNIT_RANGE } from '../src/index.js';
import type { FrameSource } from '../src/index.js';

describe('sizes and sampling', () => {
  it('fits a frame within a longest side without upscaling', () => {
    expect(fitWithin({ width: 1920, height: 1080 }, 640)).toEqual({ width: 640, height: 360 });
    expect(fitWithin({ width: 480, height: 640 }, 320)).toEqual({ width: 240, height: 320 });
    expect(fitWithin({ width: 320, height: 240 }, 640)).toEqual({ width: 320, height: 240 });
    expect(fitWithin({ width: 5000, height: 1 }, 100)).toEqual({ width: 100, height: 1 });
  });

  it('takes ceil(source/output) taps when shrinking, one when enlarging, at most MAX_TAPS', () => {
    expect(samplingTaps({ width: 320, height: 240 }, { width: 32, height: 32 })).toEqual({ x: MAX_TAPS, y: MAX_TAPS });
    expect(samplingTaps({ width: 96, height: 64 }, { width: 32, height: 32 })).toEqual({ x: 3, y: 2 });
    expect(samplingTaps({ width: 100, height: 33 }, { width: 32, height: 32 })).toEqual({ x: 4, y: 2 });
    expect(samplingTaps({ width: 16, height: 16 }, { width: 32, height: 32 })).toEqual({ x: 1, y: 1 });
    expect(samplingTaps({ width: 32, height: 32 }, { width: 32, height: 32 })).toEqual({ x: 1, y: 1 });
  });

  it('reads the size of bitmap-like sources and refuses empty ones', () => {
    const bitmap = { width: 64, height: 48 } as unknown as FrameSource;
    expect(frameSize(bitmap)).toEqual({ width: 64, height: 48 });
    expect(frameReady(bitmap)).toBe(true);
    expect(frameReady({ width: 0, height: 48 } as unknown as FrameSource)).toBe(false);
  });

  it('expands normalisations to vec4 uniforms and rejects non-finite ones', () => {
    expect(normalizationVectors(UNIT_RANGE)).toEqual({ scale: [1 / 255, 1 / 255, 1 / 255, 0], offset: [0, 0, 0, 0], bgr: false });
    expect(normalizationVectors({ scale: 1, offset: 0, channelOrder: 'bgr' }).bgr).toBe(true);
    expect(normalizationVectors(SIGNED_UNIT_RANGE).offset).toEqual([-1, -1, -1, 0]);
    expect(normalizationVectors({ scale: [1, 2, 3], offset: [4, 5, 6] })).toEqual({ scale: [1, 2, 3, 0], offset: [4, 5, 6, 0], bgr: false });
    expect(() => normalizationVectors({ scale: Number.NaN, offset: 0 })).toThrow(/finite/);
  });
});
