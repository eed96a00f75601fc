import {
  cameraInput,
  deriveSeed,
  generateSample,
  mulberry32,
  NUM_SHAPE_CLASSES,
  randomVideoFrame,
  toModelInput,
  type FrameResize,
  type ObjectMask,
} from '../../src/index.js';

/**
 * Default width of the video-condition training frames (4:3, so 160×120): half the fake
 * camera's 320×240, so a frame costs ~17 ms instead of ~41 ms (idle). Geometry, clutter and
 * noise are relative to the frame, so only the fineness of the 4:2:0 chroma and of the
 * resizes' sampling differs from the real video (which evaluate.ts scores at 320×240); the
 * bilinear resize, one sample per output pixel, sees that difference most. `--video-width
 * 320` trains on frames of the camera's own size.
 */
export const TRAINING_VIDEO_WIDTH = 160;

/** Frame size (4:3) of the training stream's camera frames of width `width`. */
export function trainingVideoSize(width: number): { width: number; height: number } {
  if (!Number.isInteger(width) || width < 32 || width % 4 !== 0) throw new Error(`video width must be a multiple of 4 and at least 32 (4:3 frames), got ${width}`);
  return { width, height: (width * 3) / 4 };
}

/** Which kinds of images the training stream mixes (by sample index). */
export interface TrainingMix {
  readonly size: number;
  /** Every n-th sample (index mod n = n − 1) is a two-object still; 0 = none. */
  readonly twoObjectEvery: number;
  /**
   * Every n-th sample (index mod n = 0) is a camera frame from the video's distribution
   * (randomVideoFrame → YUV 4:2:0 round trip → resized, alternately as the demo's area resize
   * and the core's bilinear one); 0 = none. Takes precedence over a two-object still.
   */
  readonly videoEvery: number;
  /** Width of those camera frames (4:3; default TRAINING_VIDEO_WIDTH). */
  readonly videoWidth?: number;
}

/** One training image: the model input and its objects (masks at the model's resolution). */
export interface TrainingItem {
  readonly input: Float32Array;
  readonly objects: readonly ObjectMask[];
  readonly kind: 'still' | 'video';
  /** How a video frame was shrunk to the model input (video frames only). */
  readonly resize?: FrameResize;
}

/**
 * Throws unless the mix gives every kind of image every class. The class of sample i is
 * i mod 5, so a period that is a multiple of 5 would make every video frame (or every
 * two-object still's first object) the same class: a model trained on it learns "video means
 * circle", not the video's shapes.
 */
export function checkTrainingMix(mix: TrainingMix): void {
  for (const [name, every] of [
    ['videoEvery', mix.videoEvery],
    ['twoObjectEvery', mix.twoObjectEvery],
  ] as const) {
    if (!Number.isInteger(every) || every < 0) throw new Error(`${name} must be an integer ≥ 0, got ${every}`);
    if (every > 0 && every % NUM_SHAPE_CLASSES === 0) {
      throw new Error(`${name} = ${every} is a multiple of the ${NUM_SHAPE_CLASSES} classes: all those images would have one class; choose another period`);
    }
  }
  trainingVideoSize(mix.videoWidth ?? TRAINING_VIDEO_WIDTH);
}

/** Whether sample `index` of the training stream is a video frame (only at full clutter). */
export function isVideoIndex(index: number, mix: TrainingMix, clutter: number): boolean {
  return mix.videoEvery > 0 && clutter >= 1 && index % mix.videoEvery === 0;
}

/**
 * Sample `index` of the training stream of `seed`: the still generateDataset would draw
 * (class index mod 5, the given clutter; two objects every twoObjectEvery-th), or, once the
 * clutter curriculum is over, a video-condition camera frame every videoEvery-th. Every
 * index has its own derived seed, so any sample can be regenerated alone (data-parallel
 * workers, BN calibration).
 *
 * @example
 * const item = trainingItem(1001, 42, { size: 32, twoObjectEvery: 4, videoEvery: 3 }, 1);
 */
export function trainingItem(seed: number, index: number, mix: TrainingMix, clutter: number): TrainingItem {
  const rng = mulberry32(deriveSeed(seed, index));
  const label = index % NUM_SHAPE_CLASSES;
  if (isVideoIndex(index, mix, clutter)) {
    const frame = randomVideoFrame(rng, { ...trainingVideoSize(mix.videoWidth ?? TRAINING_VIDEO_WIDTH), label });
    // Alternate the two resizes a camera frame meets (demo FrameInput, core toModelInput).
    const resize: FrameResize = Math.floor(index / mix.videoEvery) % 2 === 0 ? 'area' : 'bilinear';
    const camera = cameraInput(frame.pixels, frame.objects, frame.width, frame.height, mix.size, resize);
    return { input: camera.input, objects: camera.masks, kind: 'video', resize };
  }
  const twoObjects = mix.twoObjectEvery > 0 && index % mix.twoObjectEvery === mix.twoObjectEvery - 1;
  const sample = generateSample(rng, { size: mix.size, label, clutter, twoObjects });
  return { input: toModelInput(sample.pixels), objects: sample.masks, kind: 'still' };
}
