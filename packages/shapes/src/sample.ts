import { addPixelNoise, drawBackground } from './background.js';
import { createCanvas, toRgba } from './canvas.js';
import { NUM_SHAPE_CLASSES, SHAPE_CLASSES, type ShapeClass } from './classes.js';
import { DEFAULT_DISTRACTORS, drawDistractors } from './distractors.js';
import { drawObject, maskBoundingBox, type BoundingBox } from './objects.js';
import { placeObjects } from './placement.js';
import { randomInt, uniform, type Rng } from './rng.js';
import type { ShapePlacement } from './shapes.js';

/**
 * The image size the bundled model was trained at. 32 px keeps training on the CPU-only
 * build machine within minutes; shapes are drawn with anti-aliasing relative to the image
 * size, so larger renders (for display) look like upscaled training images.
 */
export const TRAINING_IMAGE_SIZE = 32;

/**
 * Pixel-noise grain is defined at this reference resolution: an image of size s gets noise
 * cells of floor(s / 48) pixels (at least 1), so a 192 px sample has the same noise scale
 * relative to the image as a 48 px one.
 */
const NOISE_REFERENCE_SIZE = 48;

/** One object in a sample with its ground truth. */
export interface ObjectMask {
  /** Index into SHAPE_CLASSES. */
  readonly label: number;
  readonly className: ShapeClass;
  /** size×size bytes, 1 inside the object and 0 elsewhere (row-major). */
  readonly mask: Uint8Array;
  readonly bbox: BoundingBox;
  /** Where the object was drawn (centre, circumradius, rotation) in pixel coordinates. */
  readonly placement: ShapePlacement;
}

/** A generated image with its labels. */
export interface Sample {
  readonly size: number;
  /** size×size RGBA8, row-major, alpha always 255. */
  readonly pixels: Uint8Array;
  /** The class of the first object (the only one unless `twoObjects` was set). */
  readonly label: number;
  /** One entry per object, first object first; two-object samples have different classes. */
  readonly masks: readonly ObjectMask[];
}

/** Options for {@link generateSample}. */
export interface SampleOptions {
  /** Width and height in pixels (default TRAINING_IMAGE_SIZE). */
  readonly size?: number;
  /** Draw two objects of different classes instead of one. */
  readonly twoObjects?: boolean;
  /** Force the class of the first object (default: uniform random). */
  readonly label?: number;
  /**
   * Amount of clutter, 0–1 (default 1): scales the number of distractor strokes and blobs,
   * the background's colour noise and the pixel noise. Lower values give easier images,
   * e.g. for a training curriculum.
   */
  readonly clutter?: number;
}

/**
 * Draws one random image: cluttered background, then one object (or two of different
 * classes), with a binary mask per object.
 *
 * @example
 * const rng = mulberry32(7);
 * const sample = generateSample(rng, { size: 32 });
 * console.log(SHAPE_CLASSES[sample.label], sample.masks[0].bbox);
 */
export function generateSample(rng: Rng, options: SampleOptions = {}): Sample {
  const size = options.size ?? TRAINING_IMAGE_SIZE;
  if (!Number.isInteger(size) || size < 8) throw new Error(`generateSample: size must be an integer ≥ 8, got ${size}`);
  const first = options.label ?? randomInt(rng, 0, NUM_SHAPE_CLASSES - 1);
  if (!Number.isInteger(first) || first < 0 || first >= NUM_SHAPE_CLASSES) {
    throw new Error(`generateSample: label must be an integer in [0, ${NUM_SHAPE_CLASSES}), got ${first}`);
  }
  const labels = [first];
  if (options.twoObjects) labels.push((first + randomInt(rng, 1, NUM_SHAPE_CLASSES - 1)) % NUM_SHAPE_CLASSES);

  const canvas = createCanvas(size, size);
  const clutter = options.clutter ?? 1;
  if (!(clutter >= 0 && clutter <= 1)) throw new Error(`generateSample: clutter must be in [0, 1], got ${clutter}`);
  drawBackground(canvas, rng, clutter);
  drawDistractors(canvas, rng, {
    strokes: [Math.round(DEFAULT_DISTRACTORS.strokes[0] * clutter), Math.round(DEFAULT_DISTRACTORS.strokes[1] * clutter)],
    blobs: [Math.round(DEFAULT_DISTRACTORS.blobs[0] * clutter), Math.round(DEFAULT_DISTRACTORS.blobs[1] * clutter)],
  });
  const placements = placeObjects(
    rng,
    size,
    labels.map((l) => SHAPE_CLASSES[l] as ShapeClass),
  );
  const masks: ObjectMask[] = placements.map((placement, i) => {
    const mask = drawObject(canvas, rng, placement);
    const label = labels[i] as number;
    return { label, className: placement.cls, mask, bbox: maskBoundingBox(mask, size, size), placement };
  });
  addPixelNoise(canvas, rng, uniform(rng, 0, 12) * clutter, Math.max(1, Math.floor(size / NOISE_REFERENCE_SIZE)));
  return { size, pixels: toRgba(canvas), label: first, masks };
}
