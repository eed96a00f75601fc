// Number formatting shared by the markdown and SVG writers.
import type { Summary } from '../stats/summary.js';

/**
 * A time in ms with three significant digits (no exponent).
 *
 * @example
 * ms(0.01234); // '0.0123'
 * ms(1234.5); // '1235'
 */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

/**
 * A median and its spread (median absolute deviation), e.g. '13.4 ±0.62'.
 *
 * @example
 * spread(summarize([1, 2, 3])); // '2.00 ±1.00'
 */
export function spread(summary: Summary): string {
  return summary.n > 1 ? `${ms(summary.median)} ±${ms(summary.mad)}` : ms(summary.median);
}

/**
 * A ratio as '12.3×'.
 *
 * @example
 * times(0.456); // '0.46×'
 */
export function times(ratio: number): string {
  return `${ratio >= 100 ? ratio.toFixed(0) : ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/**
 * A fraction as a percentage.
 *
 * @example
 * percent(0.0123); // '1.23%'
 */
export function percent(fraction: number): string {
  const p = fraction * 100;
  return `${p >= 10 ? p.toFixed(1) : p >= 0.01 ? p.toFixed(2) : p.toPrecision(2)}%`;
}

/**
 * A long duration in the largest fitting unit.
 *
 * @example
 * duration(9_099_584); // '2.5 h'
 */
export function duration(milliseconds: number): string {
  if (milliseconds < 1000) return `${ms(milliseconds)} ms`;
  if (milliseconds < 120_000) return `${(milliseconds / 1000).toPrecision(3)} s`;
  if (milliseconds < 7_200_000) return `${(milliseconds / 60_000).toPrecision(3)} min`;
  return `${(milliseconds / 3_600_000).toPrecision(2)} h`;
}
