import { coverage, meanColourUnder, paint, type Canvas, type Rgb } from './canvas.js';
import { randomColour } from './background.js';
import { shapeRegion, type ShapePlacement } from './shapes.js';
import { uniform, type Rng } from './rng.js';

/** Minimum RGB distance between an object's colour and the background under it. */
const MIN_CONTRAST = 90;
/**
 * Minimum luma (BT.601 Y) difference as well: colours far apart in RGB can still be nearly
 * isoluminant (red on green), and such edges made the classifier learn much more slowly.
 */
const MIN_LUMA_CONTRAST = 45;

/** Pixel bounds of a mask: x in [x0, x1), y in [y0, y1). Empty masks give x0 = x1 = 0. */
export interface BoundingBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

function luma(c: Rgb): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

/** 1 or more when `colour` meets both contrast thresholds against `background`. */
function contrastScore(colour: Rgb, background: Rgb): number {
  const rgb = Math.hypot(colour[0] - background[0], colour[1] - background[1], colour[2] - background[2]);
  return Math.min(rgb / MIN_CONTRAST, Math.abs(luma(colour) - luma(background)) / MIN_LUMA_CONTRAST);
}

/**
 * A random object colour that stands out from `background`: up to 32 tries for one that
 * meets both contrast thresholds, otherwise the best candidate seen. Without this, some
 * objects would be invisible and their labels pure noise.
 */
function contrastingColour(rng: Rng, background: Rgb): Rgb {
  let best = randomColour(rng);
  let bestScore = contrastScore(best, background);
  for (let i = 0; i < 31 && bestScore < 1; i++) {
    const candidate = randomColour(rng);
    const score = contrastScore(candidate, background);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** How an object is coloured: fill colour and a linear lighting gradient. */
export interface ObjectStyle {
  readonly colour: Rgb;
  /** Relative brightness change per radius along `lightAngle` (0 = flat). */
  readonly lightStrength: number;
  readonly lightAngle: number;
}

/**
 * A random style whose colour stands out from `background` (the mean colour under the object).
 *
 * @example
 * const style = chooseObjectStyle(rng, [120, 80, 200]);
 */
export function chooseObjectStyle(rng: Rng, background: Rgb): ObjectStyle {
  return {
    colour: contrastingColour(rng, background),
    lightStrength: uniform(rng, 0, 0.25),
    lightAngle: uniform(rng, 0, 2 * Math.PI),
  };
}

/**
 * Draws one object and returns its binary mask (1 where at least half of the pixel is
 * covered). Without `style`, a style contrasting with the background under the object is
 * drawn from `rng`.
 */
export function drawObject(canvas: Canvas, rng: Rng, placement: ShapePlacement, style?: ObjectStyle): Uint8Array {
  const { width, height } = canvas;
  const alpha = coverage(shapeRegion(placement), width, height, 4);
  const s = style ?? chooseObjectStyle(rng, meanColourUnder(canvas, alpha));
  const lx = (Math.cos(s.lightAngle) * s.lightStrength) / placement.radius;
  const ly = (Math.sin(s.lightAngle) * s.lightStrength) / placement.radius;
  paint(canvas, alpha, s.colour, (x, y) => 1 + (x + 0.5 - placement.cx) * lx + (y + 0.5 - placement.cy) * ly);
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = (alpha[i] as number) >= 0.5 ? 1 : 0;
  return mask;
}

/**
 * Bounding box of the non-zero pixels of a mask.
 *
 * @example
 * const box = maskBoundingBox(sample.masks[0].mask, 48, 48);
 */
export function maskBoundingBox(mask: Uint8Array, width: number, height: number): BoundingBox {
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] === 0) continue;
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x + 1 > x1) x1 = x + 1;
      if (y + 1 > y1) y1 = y + 1;
    }
  }
  return x1 === 0 ? { x0: 0, y0: 0, x1: 0, y1: 0 } : { x0, y0, x1, y1 };
}
