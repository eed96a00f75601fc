// Robust summaries of repeated timings: the median and spread, never the mean, because
// a shared machine adds long one-sided outliers.

/** Median and spread of a set of samples. */
export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** 25th and 75th percentiles (linear interpolation). */
  readonly p25: number;
  readonly p75: number;
  /** Median absolute deviation from the median. */
  readonly mad: number;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation between order statistics.
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of no samples');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1]; got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}

/**
 * The median of `values`.
 *
 * @example
 * median([5, 1, 3]); // 3
 */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * n, median, min, max, quartiles and median absolute deviation of `values`.
 *
 * @example
 * summarize([10, 11, 30]).median; // 11
 */
export function summarize(values: readonly number[]): Summary {
  const mid = median(values);
  return {
    n: values.length,
    median: mid,
    min: Math.min(...values),
    max: Math.max(...values),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    mad: median(values.map((v) => Math.abs(v - mid))),
  };
}

/**
 * Summary of the per-round ratios numerator[i] / denominator[i] of samples taken in the
 * same rounds (interleaved), which cancels slow drifts of a shared machine.
 *
 * @example
 * pairedRatios([10, 12], [1, 1.5]).median; // 9
 */
export function pairedRatios(numerator: readonly number[], denominator: readonly number[]): Summary {
  if (numerator.length !== denominator.length || numerator.length === 0) {
    throw new RangeError(`paired ratios need equal, non-empty sample lists; got ${numerator.length} and ${denominator.length}`);
  }
  return summarize(numerator.map((n, i) => n / (denominator[i] as number)));
}

/**
 * Element-wise sums of equally long sample lists (e.g. post-processing + readback per round).
 *
 * @example
 * addSamples([1, 2], [10, 20]); // [11, 22]
 */
export function addSamples(...lists: readonly (readonly number[])[]): number[] {
  const first = lists[0];
  if (!first) return [];
  for (const list of lists) {
    if (list.length !== first.length) throw new RangeError(`sample lists differ in length: ${list.length} vs ${first.length}`);
  }
  return first.map((_, i) => lists.reduce((total, list) => total + (list[i] as number), 0));
}
