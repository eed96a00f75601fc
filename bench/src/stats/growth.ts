// How a time grows with a size: the least-squares slope of log2(time) over log2(size),
// reported as the factor by which the time multiplies when the size doubles
// (1 = flat, 2 = linear, 4 = quadratic).

/** One measured point of a scaling series. */
export interface ScalingPoint {
  readonly size: number;
  readonly ms: number;
}

/** The fitted growth of a series. */
export interface Growth {
  /** Time factor per doubling of the size: 2^slope. */
  readonly perDoubling: number;
  /** The log-log slope (the exponent of a power law). */
  readonly exponent: number;
  /** Coefficient of determination of the log-log fit; low values mean the series is not a power law. */
  readonly r2: number;
}

/**
 * Fits time ∝ size^exponent to the points and reports the per-doubling factor.
 *
 * @example
 * growthPerDoubling([{ size: 1, ms: 3 }, { size: 2, ms: 6 }, { size: 4, ms: 12 }]).perDoubling; // 2
 */
export function growthPerDoubling(points: readonly ScalingPoint[]): Growth {
  const usable = points.filter((p) => p.size > 0 && p.ms > 0);
  if (usable.length < 2) throw new RangeError(`a growth fit needs at least two positive points; got ${usable.length}`);
  const xs = usable.map((p) => Math.log2(p.size));
  const ys = usable.map((p) => Math.log2(p.ms));
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanY = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    const dx = x - meanX;
    const dy = (ys[i] as number) - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  });
  if (sxx === 0) throw new RangeError('a growth fit needs at least two different sizes');
  const exponent = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { perDoubling: 2 ** exponent, exponent, r2 };
}
