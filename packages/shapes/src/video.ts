import { addPixelNoise, drawBackground } from './background.js';
import { cloneCanvas, createCanvas, meanColourUnder, toRgba } from './canvas.js';
import { NUM_SHAPE_CLASSES, SHAPE_CLASSES, type ShapeClass } from './classes.js';
import { drawDistractors } from './distractors.js';
import { chooseObjectStyle, drawObject, maskBoundingBox, type ObjectStyle } from './objects.js';
import { mulberry32, randomInt, uniform, type Rng } from './rng.js';
import type { ObjectMask } from './sample.js';

/** Clutter drawn on a video's background: denser than a still's (DEFAULT_DISTRACTORS). */
export const VIDEO_DISTRACTORS = { strokes: [3, 7], blobs: [2, 5] } as const;
/** Object radius of a one-object video as a fraction of the frame's shorter side. */
export const VIDEO_SINGLE_RADIUS: readonly [number, number] = [0.22, 0.28];
/** Object radius of a two-object video, same unit. */
const VIDEO_PAIR_RADIUS: readonly [number, number] = [0.16, 0.2];
/** Per-frame pixel noise (standard deviation, 0–255 scale). */
export const VIDEO_NOISE_SIGMA = 4;

/** Pixel-noise grain of a video frame: the still generator's reference of 48 px per noise cell. */
export function videoNoiseGrain(width: number, height: number): number {
  return Math.max(1, Math.floor(Math.min(width, height) / 48));
}

/** Options for {@link movingShapeFrames}. */
export interface MovingShapesOptions {
  /** Frame width in pixels (default 320). Must be even for 4:2:0 video. */
  readonly width?: number;
  /** Frame height in pixels (default 240). Must be even for 4:2:0 video. */
  readonly height?: number;
  /** Number of frames (default 90: 3 s at 30 fps). */
  readonly frames?: number;
  /** Number of moving objects, 1 or 2 (default 1); two objects have different classes. */
  readonly objects?: 1 | 2;
  /**
   * Every this many frames each object turns into the next class (in SHAPE_CLASSES order),
   * so a live explanation has to follow a change of class. Default: never.
   */
  readonly switchClassEvery?: number;
}

/** One rendered frame with the ground truth of every object in it. */
export interface MovingShapesFrame {
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** width×height RGBA8, row-major. */
  readonly pixels: Uint8Array;
  /** Per object: class, binary mask (width×height) and bounding box. */
  readonly objects: readonly ObjectMask[];
}

interface Mover {
  classIndex: number;
  radius: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
  rotation: number;
  spin: number;
  /** Chosen once, so an object keeps its colour while the background under it changes. */
  style: ObjectStyle;
}

/** Advances a mover by one frame, bouncing off the frame edges. */
function step(m: Mover, width: number, height: number): void {
  m.x += m.vx;
  m.y += m.vy;
  if (m.x < m.radius || m.x > width - m.radius) {
    m.vx = -m.vx;
    m.x = Math.min(width - m.radius, Math.max(m.radius, m.x));
  }
  if (m.y < m.radius || m.y > height - m.radius) {
    m.vy = -m.vy;
    m.y = Math.min(height - m.radius, Math.max(m.radius, m.y));
  }
  m.rotation += m.spin;
}

/**
 * Renders frames of shapes moving (and slowly spinning) across a fixed cluttered
 * background, with fresh sensor-like noise per frame. Object size is relative to the frame
 * height (radius 20–28 %), so after resizing a frame to the model's square input the
 * objects are about as large as in the training images (a little squashed horizontally
 * when a 4:3 frame is squeezed to a square). Frames are generated lazily.
 *
 * @example
 * for (const frame of movingShapeFrames(5, { frames: 30 })) {
 *   console.log(frame.index, frame.objects[0].className, frame.objects[0].bbox);
 * }
 */
export function* movingShapeFrames(seed: number, options: MovingShapesOptions = {}): Generator<MovingShapesFrame> {
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const frameCount = options.frames ?? 90;
  const objectCount = options.objects ?? 1;
  const rng: Rng = mulberry32(seed);

  const background = createCanvas(width, height);
  drawBackground(background, rng);
  drawDistractors(background, rng, VIDEO_DISTRACTORS);

  const scale = Math.min(width, height);
  const firstClass = randomInt(rng, 0, NUM_SHAPE_CLASSES - 1);
  const movers: Mover[] = [];
  for (let i = 0; i < objectCount; i++) {
    const [rMin, rMax] = objectCount === 1 ? VIDEO_SINGLE_RADIUS : VIDEO_PAIR_RADIUS;
    const radius = uniform(rng, rMin, rMax) * scale;
    const speed = uniform(rng, 0.01, 0.02) * scale;
    const heading = uniform(rng, 0, 2 * Math.PI);
    movers.push({
      classIndex: (firstClass + i * randomInt(rng, 1, NUM_SHAPE_CLASSES - 1)) % NUM_SHAPE_CLASSES,
      radius,
      // Two objects start in opposite halves so they rarely meet.
      x: i === 0 ? uniform(rng, radius, width / 2) : uniform(rng, width / 2, width - radius),
      y: uniform(rng, radius, height - radius),
      vx: speed * Math.cos(heading),
      vy: speed * Math.sin(heading),
      rotation: uniform(rng, 0, 2 * Math.PI),
      spin: uniform(rng, -0.04, 0.04),
      // Contrast against the whole background, since the object travels across all of it.
      style: chooseObjectStyle(rng, meanColourUnder(background, new Float32Array(width * height).fill(1))),
    });
  }

  for (let index = 0; index < frameCount; index++) {
    const canvas = cloneCanvas(background);
    const objects: ObjectMask[] = movers.map((m) => {
      const switches = options.switchClassEvery ? Math.floor(index / options.switchClassEvery) : 0;
      const label = (m.classIndex + switches) % NUM_SHAPE_CLASSES;
      const cls = SHAPE_CLASSES[label] as ShapeClass;
      const placement = { cls, cx: m.x, cy: m.y, radius: m.radius, rotation: m.rotation };
      const mask = drawObject(canvas, rng, placement, m.style);
      return { label, className: cls, mask, bbox: maskBoundingBox(mask, width, height), placement };
    });
    // Later objects are drawn on top; remove their pixels from earlier masks if they meet.
    for (let i = 0; i < objects.length; i++) {
      for (let j = i + 1; j < objects.length; j++) {
        const lower = objects[i] as ObjectMask;
        const upper = (objects[j] as ObjectMask).mask;
        for (let p = 0; p < upper.length; p++) if (upper[p]) lower.mask[p] = 0;
        objects[i] = { ...lower, bbox: maskBoundingBox(lower.mask, width, height) };
      }
    }
    addPixelNoise(canvas, rng, VIDEO_NOISE_SIGMA, videoNoiseGrain(width, height));
    yield { index, width, height, pixels: toRgba(canvas), objects };
    for (const m of movers) step(m, width, height);
  }
}

/**
 * All frames of {@link movingShapeFrames} in an array (320×240×4 bytes ≈ 0.3 MB per frame).
 *
 * @example
 * const frames = renderMovingShapes(5, { frames: 60, objects: 2 });
 */
export function renderMovingShapes(seed: number, options: MovingShapesOptions = {}): MovingShapesFrame[] {
  return [...movingShapeFrames(seed, options)];
}
