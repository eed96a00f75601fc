import type { Region } from './region.js';

/** A float RGB image (values nominally 0–255, row-major, 3 floats per pixel) used while drawing. */
export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly rgb: Float32Array;
}

/** An RGB colour with components in 0–255. */
export type Rgb = readonly [number, number, number];

export function createCanvas(width: number, height: number): Canvas {
  return { width, height, rgb: new Float32Array(width * height * 3) };
}

export function cloneCanvas(canvas: Canvas): Canvas {
  return { width: canvas.width, height: canvas.height, rgb: canvas.rgb.slice() };
}

/** Integer pixel window [x0, x1) × [y0, y1) of a region, clipped to the canvas. */
function pixelWindow(region: Region, width: number, height: number) {
  const b = region.bounds;
  return {
    x0: Math.max(0, Math.floor(b.x0)),
    y0: Math.max(0, Math.floor(b.y0)),
    x1: Math.min(width, Math.ceil(b.x1)),
    y1: Math.min(height, Math.ceil(b.y1)),
  };
}

/**
 * Fraction of each pixel covered by `region`, estimated on a `supersample`² grid of
 * sub-pixel points. Supersampling gives anti-aliased edges, so renders at different sizes
 * look alike after resizing.
 */
export function coverage(region: Region, width: number, height: number, supersample = 4): Float32Array {
  const out = new Float32Array(width * height);
  const w = pixelWindow(region, width, height);
  const step = 1 / supersample;
  const weight = 1 / (supersample * supersample);
  for (let y = w.y0; y < w.y1; y++) {
    for (let x = w.x0; x < w.x1; x++) {
      let hits = 0;
      for (let sy = 0; sy < supersample; sy++) {
        const py = y + (sy + 0.5) * step;
        for (let sx = 0; sx < supersample; sx++) {
          if (region.contains(x + (sx + 0.5) * step, py)) hits++;
        }
      }
      out[y * width + x] = hits * weight;
    }
  }
  return out;
}

/**
 * Blends `colour` over the canvas with per-pixel opacity `alpha` (0–1).
 * `shade`, when given, scales the colour per pixel (used for a lighting gradient).
 */
export function paint(
  canvas: Canvas,
  alpha: Float32Array,
  colour: Rgb,
  shade?: (x: number, y: number) => number,
): void {
  const { width, rgb } = canvas;
  for (let i = 0; i < alpha.length; i++) {
    const a = alpha[i] as number;
    if (a <= 0) continue;
    const s = shade ? shade(i % width, Math.floor(i / width)) : 1;
    for (let c = 0; c < 3; c++) {
      const o = 3 * i + c;
      rgb[o] = (rgb[o] as number) * (1 - a) + (colour[c] as number) * s * a;
    }
  }
}

/** Mean colour of the canvas over the pixels where `weight` > 0, weighted by it. */
export function meanColourUnder(canvas: Canvas, weight: Float32Array): Rgb {
  let r = 0;
  let g = 0;
  let b = 0;
  let total = 0;
  for (let i = 0; i < weight.length; i++) {
    const w = weight[i] as number;
    if (w <= 0) continue;
    r += (canvas.rgb[3 * i] as number) * w;
    g += (canvas.rgb[3 * i + 1] as number) * w;
    b += (canvas.rgb[3 * i + 2] as number) * w;
    total += w;
  }
  return total > 0 ? [r / total, g / total, b / total] : [128, 128, 128];
}

/** Rounds and clamps the canvas into an RGBA8 buffer with opaque alpha. */
export function toRgba(canvas: Canvas): Uint8Array {
  const n = canvas.width * canvas.height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = Math.round(canvas.rgb[3 * i + c] as number);
      out[4 * i + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    out[4 * i + 3] = 255;
  }
  return out;
}
