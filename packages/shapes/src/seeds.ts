/**
 * The seeds of the data sets behind the bundled model (models/shapes-cnn). Training and
 * held-out images come from different seeds, so they never share a sample.
 */
export const SHAPES_DATASET_SEEDS = {
  /** Training images (single object; epoch e uses sample indices e·perEpoch …). */
  train: 1001,
  /**
   * Held-out single-object images: indices 0… are the evaluation set (evaluate.ts, tests);
   * indices 100000… are the validation slice the training script selects the best epoch on.
   */
  heldOut: 2002,
  /** Held-out two-object images. */
  heldOutTwoObjects: 3003,
  /** Images written to samples/. */
  samples: 4004,
  /** Moving-shape test video. */
  video: 5005,
} as const;

/**
 * Moving-shape videos the trainers validate on after every epoch: a selection set of whole
 * videos (each one background and one object style for all its frames, as the evaluation
 * videos are), disjoint from the videos evaluate.ts reports (5005, 77, 6001–6008), so that
 * runs can be compared without looking at the evaluation videos.
 */
export const VALIDATION_VIDEO_SEEDS: readonly number[] = Array.from({ length: 12 }, (_, i) => 7001 + i);
