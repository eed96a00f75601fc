/**
 * A small seeded PRNG (mulberry32) so synthetic inputs are identical in every run and in
 * both runtimes (Node and the browser).
 *
 * @example
 * const next = seededRandom(42);
 * const u = next(); // in [0, 1)
 */
export function seededRandom(seed: number): () => number {
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
