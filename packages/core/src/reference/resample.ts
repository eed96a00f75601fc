// Float64 reference of bilinear resampling with half-pixel centres.
import type { Size2D } from '../inputs.js';

/** Source coordinate, neighbours and weight of output index `i` on one axis. */
export function bilinearTap(i: number, inSize: number, outSize: number): { low: number; high: number; fraction: number } {
  const scaled = Math.min(Math.max((i + 0.5) * (inSize / outSize) - 0.5, 0), inSize - 1);
  const low = Math.floor(scaled);
  return { low, high: Math.min(low + 1, inSize - 1), fraction: scaled - low };
}

/** Samples plane `at(y, x)` of size `from` at output pixel (Y, X) of size `to`. */
export function sampleBilinear(at: (y: number, x: number) => number, from: Size2D, to: Size2D, Y: number, X: number): number {
  const ty = bilinearTap(Y, from.height, to.height);
  const tx = bilinearTap(X, from.width, to.width);
  const top = at(ty.low, tx.low) + (at(ty.low, tx.high) - at(ty.low, tx.low)) * tx.fraction;
  const bottom = at(ty.high, tx.low) + (at(ty.high, tx.high) - at(ty.high, tx.low)) * tx.fraction;
  return top + (bottom - top) * ty.fraction;
}

/** Resizes `count` maps from `from` to `to`. */
export function upsampleBilinear(maps: ArrayLike<number>, count: number, from: Size2D, to: Size2D): Float64Array {
  const out = new Float64Array(count * to.height * to.width);
  for (let m = 0; m < count; m++) {
    const base = m * from.height * from.width;
    const at = (y: number, x: number): number => maps[base + y * from.width + x]!;
    for (let Y = 0; Y < to.height; Y++) {
      for (let X = 0; X < to.width; X++) out[(m * to.height + Y) * to.width + X] = sampleBilinear(at, from, to, Y, X);
    }
  }
  return out;
}
