import { mulberry32 } from '@wgcam/shapes';

/** A seeded PRNG (mulberry32, the data set's own) so synthetic inputs are identical in every run and runtime. */
export const seededRandom = mulberry32;

/**
 * `length` seeded values, uniform in [low, high).
 *
 * @example
 * const activations = seededUniform(7 * 7 * 2048, 1, 0, 2);
 */
export function seededUniform(length: number, seed: number, low = 0, high = 1): Float32Array {
  const next = seededRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = low + (high - low) * next();
  return out;
}
