/** Comparisons the project's checks use: GPU results against float64 references, ways against ways. */
/**
 * ‖actual − expected‖₂ / ‖expected‖₂; when the expected values are all zero (a constant
 * map normalises to zeros), the absolute norm ‖actual‖₂ instead, so zeros equal zeros.
 *
 * @example
 * relativeL2(new Float32Array([1, 2]), new Float32Array([1, 2])); // 0
 */
export function relativeL2(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new RangeError(`cannot compare ${actual.length} values with ${expected.length}`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const d = (actual[i] as number) - e;
    diff += d * d;
    norm += e * e;
  }
  if (Number.isNaN(diff)) return Number.NaN;
  return norm === 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
}

/**
 * Largest absolute difference and how many elements differ at all (for RGBA8 overlays,
 * where a heat value on a colormap bin boundary may round to the neighbouring colour).
 *
 * @example
 * byteDifferences(new Uint8Array([1, 2]), new Uint8Array([1, 4])); // { max: 2, count: 1 }
 */
export function byteDifferences(actual: ArrayLike<number>, expected: ArrayLike<number>): { max: number; count: number } {
  if (actual.length !== expected.length) throw new RangeError(`cannot compare ${actual.length} values with ${expected.length}`);
  let max = 0;
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs((actual[i] as number) - (expected[i] as number));
    if (d > 0) count += 1;
    if (d > max) max = d;
  }
  return { max, count };
}
