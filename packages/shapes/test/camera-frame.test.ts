import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cameraInput, movingShapeFrames, mulberry32, randomVideoFrame, resizeToModelInput, SHAPE_CLASSES, shrinkMask } from '../src/index.js';

describe('resizeToModelInput', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('bilinear equals tf.image.resizeBilinear with half-pixel centres', async () => {
    const rng = mulberry32(11);
    for (const [w, h, ow, oh] of [
      [320, 240, 32, 32],
      [37, 23, 32, 32],
      [20, 20, 48, 40],
    ] as const) {
      const rgba = Uint8Array.from({ length: w * h * 4 }, () => Math.floor(rng() * 256));
      const ours = resizeToModelInput(rgba, w, h, ow, oh, 'bilinear');
      const rgb = tf.tensor4d(Float32Array.from(rgba), [1, h, w, 4]).slice([0, 0, 0, 0], [-1, -1, -1, 3]);
      const ref = (await tf.image.resizeBilinear(rgb as tf.Tensor4D, [oh, ow], false, true).div(255).data()) as Float32Array;
      let worst = 0;
      ref.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (ours[i] as number)))));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('area samples each output pixel over its footprint: a linear ramp gives the footprint centre', () => {
    // Bilinear sampling reproduces a linear function exactly and the taps sit symmetrically
    // in the footprint, so the mean is the ramp at the footprint's centre (away from clamped edges).
    const w = 320;
    const h = 240;
    const rgba = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) rgba.set([Math.floor(x / 2), Math.floor(y / 2), 100, 255], 4 * (y * w + x));
    }
    const out = resizeToModelInput(rgba, w, h, 32, 32, 'area');
    // Interior pixels: red follows floor(x / 2), whose mean over a 10-pixel footprint starting
    // at 10·ox is 5·ox + 2 (pixels 10·ox … 10·ox + 9 → values 5·ox … 5·ox + 4, twice each).
    for (let oy = 2; oy < 30; oy++) {
      for (let ox = 2; ox < 30; ox++) {
        const red = (out[3 * (oy * 32 + ox)] as number) * 255;
        expect(Math.abs(red - (5 * ox + 2))).toBeLessThan(0.55);
        expect(out[3 * (oy * 32 + ox) + 2]).toBeCloseTo(100 / 255, 6);
      }
    }
  });
});

describe('shrinkMask', () => {
  it('keeps output pixels at least half covered', () => {
    const w = 20;
    const h = 10;
    const mask = new Uint8Array(w * h);
    // Left 6 columns set: output (10×5, 2×2 footprints) columns 0–2 are inside, 3–9 outside.
    for (let y = 0; y < h; y++) for (let x = 0; x < 6; x++) mask[y * w + x] = 1;
    const out = shrinkMask(mask, w, h, 10, 5);
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 10; x++) expect(out[y * 10 + x]).toBe(x < 3 ? 1 : 0);
    }
  });
});

describe('randomVideoFrame and cameraInput', () => {
  it('draws one object of the asked class inside the frame, at the video’s size', () => {
    for (let i = 0; i < 10; i++) {
      const frame = randomVideoFrame(mulberry32(100 + i), { width: 160, height: 120, label: i % 5 });
      expect(frame.pixels.length).toBe(160 * 120 * 4);
      const object = frame.objects[0]!;
      expect(object.label).toBe(i % 5);
      expect(object.className).toBe(SHAPE_CLASSES[i % 5]);
      const { cx, cy, radius } = object.placement;
      expect(radius).toBeGreaterThanOrEqual(0.22 * 120);
      expect(radius).toBeLessThanOrEqual(0.28 * 120);
      expect(cx - radius).toBeGreaterThanOrEqual(0);
      expect(cx + radius).toBeLessThanOrEqual(160);
      expect(cy - radius).toBeGreaterThanOrEqual(0);
      expect(cy + radius).toBeLessThanOrEqual(120);
      expect(object.mask.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.02 * 160 * 120);
    }
  });

  it('turns a video frame into a 32×32 model input in [0, 1] with the mask where the object is', () => {
    const frame = [...movingShapeFrames(5005, { frames: 1 })][0]!;
    for (const resize of ['area', 'bilinear'] as const) {
      const c = cameraInput(frame.pixels, frame.objects, frame.width, frame.height, 32, resize);
      expect(c.input.length).toBe(32 * 32 * 3);
      expect(c.input.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(c.label).toBe(frame.objects[0]!.label);
      const mask = c.masks[0]!.mask;
      const box = frame.objects[0]!.bbox;
      // The shrunk mask's box is the full-size box scaled by 32/320 and 32/240 (±1 pixel).
      expect(Math.abs(c.masks[0]!.bbox.x0 - (box.x0 * 32) / 320)).toBeLessThanOrEqual(1);
      expect(Math.abs(c.masks[0]!.bbox.y1 - (box.y1 * 32) / 240)).toBeLessThanOrEqual(1);
      expect(mask.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }
  });
});
