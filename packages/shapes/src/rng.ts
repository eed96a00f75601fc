/**
 * A seeded pseudo-random number generator: a function returning floats in [0, 1).
 * Every random choice in this package goes through one, so a seed fixes a data set.
 */
export type Rng = () => number;

/**
 * mulberry32: a tiny 32-bit PRNG with a full 2^32 period. Statistically good enough for
 * drawing pictures, and identical in every JS engine because it uses only 32-bit integer math.
 *
 * @example
 * const rng = mulberry32(42);
 * const a = rng(); // always the same value for seed 42
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Uniform float in [min, max).
 *
 * @example
 * const angle = uniform(rng, 0, 2 * Math.PI);
 */
export function uniform(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng();
}

/**
 * Uniform integer in [min, max] (both inclusive).
 *
 * @example
 * const count = randomInt(rng, 1, 3);
 */
export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/**
 * One element of a non-empty array, chosen uniformly.
 *
 * @example
 * const kind = pick(rng, ['line', 'blob'] as const);
 */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick: empty array');
  return items[Math.floor(rng() * items.length)] as T;
}

/**
 * Derives an independent seed for item `index` of a data set, so that sample i does not
 * depend on how many random numbers samples 0..i-1 consumed (datasets can be sliced and
 * regenerated in parallel).
 *
 * @example
 * const rng = mulberry32(deriveSeed(1234, 17)); // sample 17 of data set 1234
 */
export function deriveSeed(seed: number, index: number): number {
  // A murmur3-style finaliser mixes the pair into a well-spread 32-bit value.
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index >>> 0, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
