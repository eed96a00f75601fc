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
 * Frame size video-condition training frames are rendered at: the fake camera's 4:3, at half
 * its 320×240 so a frame costs ~30 ms instead of ~130 ms. Geometry, clutter and noise are
 * relative to the frame, so only the fineness of the 4:2:0 chroma and of bilinear aliasing
 * differs from the real video (which evaluate.ts scores at 320×240).
 */
export const TRAINING_VIDEO_SIZE = { width: 160, height: 120 } as const;

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
    const frame = randomVideoFrame(rng, { ...TRAINING_VIDEO_SIZE, label });
    // Alternate the two resizes a camera frame meets (demo FrameInput, core toModelInput).
    const resize: FrameResize = Math.floor(index / mix.videoEvery) % 2 === 0 ? 'area' : 'bilinear';
    const camera = cameraInput(frame.pixels, frame.objects, frame.width, frame.height, mix.size, resize);
    return { input: camera.input, objects: camera.masks, kind: 'video', resize };
  }
  const twoObjects = mix.twoObjectEvery > 0 && index % mix.twoObjectEvery === mix.twoObjectEvery - 1;
  const sample = generateSample(rng, { size: mix.size, label, clutter, twoObjects });
  return { input: toModelInput(sample.pixels), objects: sample.masks, kind: 'still' };
}
