import { addPixelNoise, drawBackground } from './background.js';
import { createCanvas, meanColourUnder, toRgba } from './canvas.js';
import { NUM_SHAPE_CLASSES, SHAPE_CLASSES, type ShapeClass } from './classes.js';
import { drawDistractors } from './distractors.js';
import { chooseObjectStyle, drawObject, maskBoundingBox } from './objects.js';
import { randomInt, uniform, type Rng } from './rng.js';
import type { ObjectMask } from './sample.js';
import { VIDEO_DISTRACTORS, VIDEO_NOISE_SIGMA, VIDEO_SINGLE_RADIUS, videoNoiseGrain } from './video.js';
import { i420ToRgba, rgbaToI420 } from './yuv.js';

/**
 * How a camera frame is shrunk to the model's input:
 *  - `area`: the browser demo's FrameInput (web-adapter area-sample.ts): the mean of
 *    taps.x × taps.y bilinear samples per output pixel, taps = min(8, ceil(source/output));
 *  - `bilinear`: one bilinear sample with half-pixel centres, as tf.image.resizeBilinear
 *    (halfPixelCenters) in the core's toModelInput, which Node callers get for RGBA input.
 */
export type FrameResize = 'area' | 'bilinear';

/** Most bilinear taps per axis of the area resize (web-adapter resample-plan.ts MAX_TAPS). */
const MAX_AREA_TAPS = 8;

function taps(from: number, to: number, mode: FrameResize): number {
  return mode === 'bilinear' ? 1 : Math.min(MAX_AREA_TAPS, Math.max(1, Math.ceil(from / to - 1e-9)));
}

/**
 * RGBA8 (width×height) → model input float32 RGB in [0, 1], outW×outH, NHWC, resized as
 * `mode` says (edges clamped, half-pixel centres). A float64 CPU port of the demo's
 * area_sample WGSL; with one tap per axis it is tf.image.resizeBilinear(halfPixelCenters).
 *
 * @example
 * const x = resizeToModelInput(frame.pixels, 320, 240, 32, 32, 'area');
 */
export function resizeToModelInput(
  rgba: Uint8Array,
  width: number,
  height: number,
  outW: number,
  outH: number,
  mode: FrameResize,
): Float32Array {
  const out = new Float32Array(outW * outH * 3);
  const tx = taps(width, outW, mode);
  const ty = taps(height, outH, mode);
  const sx = width / outW;
  const sy = height / outH;
  const texel = (x: number, y: number, c: number): number => {
    const cx = Math.min(width - 1, Math.max(0, x));
    const cy = Math.min(height - 1, Math.max(0, y));
    return rgba[4 * (cy * width + cx) + c] as number;
  };
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const sum = [0, 0, 0];
      for (let j = 0; j < ty; j++) {
        const qy = (oy + (j + 0.5) / ty) * sy - 0.5;
        const y0 = Math.floor(qy);
        const fy = qy - y0;
        for (let i = 0; i < tx; i++) {
          const qx = (ox + (i + 0.5) / tx) * sx - 0.5;
          const x0 = Math.floor(qx);
          const fx = qx - x0;
          for (let c = 0; c < 3; c++) {
            const top = texel(x0, y0, c) * (1 - fx) + texel(x0 + 1, y0, c) * fx;
            const bottom = texel(x0, y0 + 1, c) * (1 - fx) + texel(x0 + 1, y0 + 1, c) * fx;
            sum[c] = (sum[c] as number) + top * (1 - fy) + bottom * fy;
          }
        }
      }
      const o = 3 * (oy * outW + ox);
      for (let c = 0; c < 3; c++) out[o + c] = (sum[c] as number) / (tx * ty * 255);
    }
  }
  return out;
}

/**
 * A binary mask (width×height) shrunk to outW×outH: an output pixel is inside when at least
 * half of its footprint is (footprints as in the area resize, so the mask lines up with the
 * model input).
 */
export function shrinkMask(mask: Uint8Array, width: number, height: number, outW: number, outH: number): Uint8Array {
  const out = new Uint8Array(outW * outH);
  for (let oy = 0; oy < outH; oy++) {
    const y0 = Math.floor((oy * height) / outH);
    const y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * height) / outH));
    for (let ox = 0; ox < outW; ox++) {
      const x0 = Math.floor((ox * width) / outW);
      const x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * width) / outW));
      let inside = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) inside += mask[y * width + x] as number;
      out[oy * outW + ox] = 2 * inside >= (y1 - y0) * (x1 - x0) ? 1 : 0;
    }
  }
  return out;
}

/** A camera frame as the model sees it, with the object's mask at the model's resolution. */
export interface CameraInput {
  /** size×size×3 float32 RGB in [0, 1] (the model input). */
  readonly input: Float32Array;
  readonly label: number;
  /** One object (size×size masks). */
  readonly masks: readonly ObjectMask[];
}

/**
 * What a camera delivers of a frame: RGBA → I420 (BT.601 limited range, 4:2:0) → RGBA,
 * the y4m fake camera's round trip, then resized to the model input as `resize` says.
 *
 * @example
 * const x = cameraInput(frame.pixels, frame.objects, 320, 240, 32, 'area');
 */
export function cameraInput(
  rgba: Uint8Array,
  objects: readonly ObjectMask[],
  width: number,
  height: number,
  size: number,
  resize: FrameResize,
): CameraInput {
  const delivered = i420ToRgba(rgbaToI420(rgba, width, height));
  const masks = objects.map((o) => {
    const mask = shrinkMask(o.mask, width, height, size, size);
    return { ...o, mask, bbox: maskBoundingBox(mask, size, size) };
  });
  return { input: resizeToModelInput(delivered, width, height, size, size, resize), label: (objects[0] as ObjectMask).label, masks };
}

/** Options of {@link randomVideoFrame}. */
export interface RandomVideoFrameOptions {
  /** Frame size (default 320×240, the fake camera's). */
  readonly width?: number;
  readonly height?: number;
  /** Class of the object (default uniform). */
  readonly label?: number;
}

/**
 * One frame drawn from the distribution of {@link movingShapeFrames}' frames (for training
 * on video conditions without rendering whole videos): the video's background and its
 * denser clutter (VIDEO_DISTRACTORS), one object of the video's size (radius 22–28 % of the
 * frame height) anywhere a bouncing object can be, at any rotation, coloured against the
 * mean of the whole background (as a moving object is, so it can have little contrast
 * locally), and the video's pixel noise.
 *
 * @example
 * const frame = randomVideoFrame(mulberry32(1), { label: 3 });
 */
export function randomVideoFrame(rng: Rng, options: RandomVideoFrameOptions = {}): { pixels: Uint8Array; objects: ObjectMask[]; width: number; height: number } {
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const label = options.label ?? randomInt(rng, 0, NUM_SHAPE_CLASSES - 1);
  const canvas = createCanvas(width, height);
  drawBackground(canvas, rng);
  drawDistractors(canvas, rng, VIDEO_DISTRACTORS);
  const scale = Math.min(width, height);
  const radius = uniform(rng, VIDEO_SINGLE_RADIUS[0], VIDEO_SINGLE_RADIUS[1]) * scale;
  const cls = SHAPE_CLASSES[label] as ShapeClass;
  const placement = {
    cls,
    radius,
    cx: uniform(rng, radius, width - radius),
    cy: uniform(rng, radius, height - radius),
    rotation: uniform(rng, 0, 2 * Math.PI),
  };
  const style = chooseObjectStyle(rng, meanColourUnder(canvas, new Float32Array(width * height).fill(1)));
  const mask = drawObject(canvas, rng, placement, style);
  addPixelNoise(canvas, rng, VIDEO_NOISE_SIGMA, videoNoiseGrain(width, height));
  return { pixels: toRgba(canvas), objects: [{ label, className: cls, mask, bbox: maskBoundingBox(mask, width, height), placement }], width, height };
}
