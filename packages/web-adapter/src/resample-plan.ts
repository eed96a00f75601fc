import type { PixelSize } from './frame-source.js';

/** Most bilinear taps per axis and output pixel; beyond 8 the average barely changes. */
export const MAX_TAPS = 8;

/**
 * Bilinear samples per output pixel along x and y so that shrinking `source` to `output`
 * averages over each output pixel's footprint: ceil(source / output), 1 when enlarging.
 *
 * @example
 * samplingTaps({ width: 640, height: 480 }, { width: 32, height: 32 }); // { x: 8, y: 8 } (capped)
 */
export function samplingTaps(source: PixelSize, output: PixelSize): { x: number; y: number } {
  const taps = (from: number, to: number): number => Math.min(MAX_TAPS, Math.max(1, Math.ceil(from / to - 1e-9)));
  return { x: taps(source.width, output.width), y: taps(source.height, output.height) };
}

/** Workgroups of 8×8 covering a width×height grid. */
export function workgroups8x8(size: PixelSize): [number, number] {
  return [Math.ceil(size.width / 8), Math.ceil(size.height / 8)];
}
