// Float64 references of the input kernels, written from their header formulas.
import { samplingTaps } from '../src/resample-plan.js';

export interface Rgba {
  readonly data: Uint8Array<ArrayBuffer>;
  readonly width: number;
  readonly height: number;
}

function texel(image: Rgba, x: number, y: number, c: number): number {
  const cx = Math.min(Math.max(x, 0), image.width - 1);
  const cy = Math.min(Math.max(y, 0), image.height - 1);
  return image.data[(cy * image.width + cx) * 4 + c]! / 255;
}

function bilinear(image: Rgba, px: number, py: number, c: number): number {
  const qx = px - 0.5;
  const qy = py - 0.5;
  const x0 = Math.floor(qx);
  const y0 = Math.floor(qy);
  const fx = qx - x0;
  const fy = qy - y0;
  const top = texel(image, x0, y0, c) * (1 - fx) + texel(image, x0 + 1, y0, c) * fx;
  const bottom = texel(image, x0, y0 + 1, c) * (1 - fx) + texel(image, x0 + 1, y0 + 1, c) * fx;
  return top * (1 - fy) + bottom * fy;
}

/** Mean of the tap grid for output pixel (x, y), in 0..1 per channel. */
export function areaSample(image: Rgba, outWidth: number, outHeight: number, x: number, y: number): [number, number, number] {
  const taps = samplingTaps(image, { width: outWidth, height: outHeight });
  const sx = image.width / outWidth;
  const sy = image.height / outHeight;
  let r = 0;
  let g = 0;
  let b = 0;
  for (let ty = 0; ty < taps.y; ty++) {
    for (let tx = 0; tx < taps.x; tx++) {
      const px = (x + (tx + 0.5) / taps.x) * sx;
      const py = (y + (ty + 0.5) / taps.y) * sy;
      r += bilinear(image, px, py, 0);
      g += bilinear(image, px, py, 1);
      b += bilinear(image, px, py, 2);
    }
  }
  const n = taps.x * taps.y;
  return [r / n, g / n, b / n];
}

/** The model input [H, W, C] the resize_normalize kernel should write. */
export function modelInputReference(image: Rgba, height: number, width: number, channels: 1 | 3, scale: readonly number[], offset: readonly number[], bgr = false): Float64Array {
  const out = new Float64Array(height * width * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const rgb = areaSample(image, width, height, x, y).map((v) => v * 255);
      const p = y * width + x;
      if (channels === 1) out[p] = ((rgb[0]! + rgb[1]! + rgb[2]!) / 3) * scale[0]! + offset[0]!;
      else for (let c = 0; c < 3; c++) out[p * 3 + c] = rgb[bgr ? 2 - c : c]! * scale[c]! + offset[c]!;
    }
  }
  return out;
}

/** The packed display image the pack_rgba8 kernel should write, as RGBA bytes. */
export function displayImageReference(image: Rgba, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const rgb = areaSample(image, width, height, x, y);
      const p = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) out[p + c] = Math.round(Math.min(Math.max(rgb[c]!, 0), 1) * 255);
      out[p + 3] = 255;
    }
  }
  return out;
}

/** Seeded RGBA noise with a smooth gradient, so resizing has structure to get wrong. */
export function seededImage(seed: number, width: number, height: number): Rgba {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      data[p] = Math.round((255 * x) / Math.max(1, width - 1));
      data[p + 1] = Math.round((255 * y) / Math.max(1, height - 1));
      data[p + 2] = Math.floor(next() * 256);
      data[p + 3] = 255;
    }
  }
  return { data, width, height };
}

/** Largest absolute difference, with its index. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): { value: number; index: number } {
  let value = 0;
  let index = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= value)) {
      value = d;
      index = i;
    }
  }
  return { value, index };
}
