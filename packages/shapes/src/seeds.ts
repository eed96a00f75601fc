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
