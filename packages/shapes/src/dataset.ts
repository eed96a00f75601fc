import { NUM_SHAPE_CLASSES } from './classes.js';
import { deriveSeed, mulberry32 } from './rng.js';
import { generateSample, type Sample } from './sample.js';

/** Options for {@link generateDataset}. */
export interface DatasetOptions {
  readonly size?: number;
  readonly twoObjects?: boolean;
  /** Index of the first sample (to generate a slice of a larger data set). Default 0. */
  readonly start?: number;
  /** Clutter of every sample, 0–1 (see SampleOptions.clutter). */
  readonly clutter?: number;
}

/**
 * `count` samples of the data set named by `seed`. Sample i uses its own derived seed, and
 * its first object's class is i mod 5, so classes are balanced and any slice can be
 * regenerated on its own.
 *
 * @example
 * const heldOut = generateDataset(20240601, 1000, { size: 32 });
 * const slice = generateDataset(20240601, 10, { size: 32, start: 990 }); // equals heldOut.slice(990)
 */
export function generateDataset(seed: number, count: number, options: DatasetOptions = {}): Sample[] {
  const start = options.start ?? 0;
  const out: Sample[] = [];
  for (let i = start; i < start + count; i++) {
    const rng = mulberry32(deriveSeed(seed, i));
    out.push(
      generateSample(rng, {
        label: i % NUM_SHAPE_CLASSES,
        ...(options.size === undefined ? {} : { size: options.size }),
        ...(options.twoObjects === undefined ? {} : { twoObjects: options.twoObjects }),
        ...(options.clutter === undefined ? {} : { clutter: options.clutter }),
      }),
    );
  }
  return out;
}
