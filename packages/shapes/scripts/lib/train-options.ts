/** Settings shared by both training engines. */
export interface TrainOptions {
  readonly epochs: number;
  /** Fresh images drawn per epoch. */
  readonly perEpoch: number;
  readonly batchSize: number;
  readonly filters: readonly [number, number, number];
  readonly learningRate: number;
  /** Stop after the epoch that crosses this wall-clock time (ms since epoch). */
  readonly deadline: number;
  readonly outDir: string;
  readonly valSize: number;
  /** Seed of the weight initialisation (js engine). */
  readonly initSeed: number;
  /** Worker threads of the js engine (data-parallel). */
  readonly threads: number;
  /** Fraction of training over which clutter ramps up to 1 (0 = full clutter throughout). */
  readonly clutterWarmup: number;
  /** Every n-th training image has two objects (js engine; 0 = none). */
  readonly twoObjectEvery: number;
  /** Every n-th training image is a video-condition camera frame once clutter is full (js engine; 0 = none). */
  readonly videoEvery: number;
  /** Width (4:3) the camera frames are rendered at before the resize to the model input. */
  readonly videoWidth: number;
  /** Initial weight of the auxiliary location loss (js engine; 0 = off). */
  readonly auxWeight: number;
  /** Fraction of training over which that weight decays linearly to 0. */
  readonly auxUntil: number;
  /** Where the js engine writes a full training checkpoint after every epoch (optional). */
  readonly checkpoint?: string;
  /** A checkpoint to continue from (js engine); the schedule resumes at its step. */
  readonly resume?: string;
}

/** Cosine decay from `base` to 5 % of it as `progress` goes from 0 to 1. */
export function cosineLearningRate(base: number, progress: number): number {
  return base * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
}

/** Weight of the auxiliary location loss at `progress` (0–1): linear decay from `initial` to 0 at `until`. */
export function auxWeightAt(progress: number, initial: number, until: number): number {
  return until <= 0 ? 0 : initial * Math.max(0, 1 - progress / until);
}

/** Clutter of the training images at `progress` (0–1): ramps from `start` to 1 over the first `warmup` of training. */
export function clutterAt(progress: number, warmup: number, start = 0.2): number {
  return warmup <= 0 ? 1 : Math.min(1, start + ((1 - start) * progress) / warmup);
}
