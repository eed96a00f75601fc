// Smooth Grad-CAM++'s model passes: N noisy copies of the model input, batched into one
// forward and one backward pass per target, their gradients stacked sample-major.
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError } from '../errors.js';
import type { MethodInfo } from '../methods.js';
import { targetGradients } from './gradients.js';
import type { SplitModel } from './split-model.js';

/** Smooth Grad-CAM++'s options (torch-cam's num_samples and std, plus a seed). */
export interface SmoothGradOptions {
  /** Noisy copies of the input (default: the method row's, 4 as torch-cam). */
  readonly numSamples?: number;
  /** Standard deviation of the Gaussian noise added to the model input (default: the row's, 0.3 as torch-cam). */
  readonly std?: number;
  /** Seed of the noise (default 0): the same seed gives the same noisy inputs. */
  readonly seed?: number;
}

/** The checked options with the row's defaults filled in. */
export interface SmoothGradPlan {
  readonly numSamples: number;
  readonly std: number;
  readonly seed: number;
}

/**
 * Checks Smooth Grad-CAM++'s options against the row's defaults.
 *
 * @example
 * smoothGradPlan(METHODS.smoothgradcampp, { numSamples: 8 }); // { numSamples: 8, std: 0.3, seed: 0 }
 */
export function smoothGradPlan(info: MethodInfo, options: SmoothGradOptions = {}): SmoothGradPlan {
  const defaults = info.noisySamples ?? { numSamples: 1, std: 0 };
  const numSamples = options.numSamples ?? defaults.numSamples;
  if (!Number.isInteger(numSamples) || numSamples < 1) throw new InvalidInputError(`smoothGrad.numSamples must be a positive integer; got ${String(options.numSamples)}`);
  const std = options.std ?? defaults.std;
  if (typeof std !== 'number' || !Number.isFinite(std) || std < 0) throw new InvalidInputError(`smoothGrad.std must be a finite number ≥ 0; got ${String(options.std)}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InvalidInputError(`smoothGrad.seed must be an integer in [0, 2^32); got ${String(options.seed)}`);
  return { numSamples, std, seed };
}

/**
 * Gradients of the targets' scores for `plan.numSamples` noisy copies of `input`
 * (input + N(0, std²), TF.js's seeded generator), run as one batch of N·B images:
 * [N·B, h, w, C] or [N·B, K, h, w, C], sample n of image b at row n·B + b.
 *
 * @example
 * const G = noisyGradients(split, input, [[3]], 'logit', { numSamples: 4, std: 0.3, seed: 0 });
 */
export function noisyGradients(split: SplitModel, input: tf.Tensor4D, targets: readonly (readonly number[])[] | tf.Tensor2D, score: 'logit' | 'probability', plan: SmoothGradPlan): tf.Tensor {
  const n = plan.numSamples;
  const [noisy, tiled] = tf.tidy(() => {
    const copies = tf.tile(input, [n, 1, 1, 1]) as tf.Tensor4D;
    // seed + 1: TF.js treats seed 0 as "unseeded" in some generators; every seed stays distinct.
    const noise = tf.randomNormal(copies.shape, 0, plan.std, 'float32', plan.seed + 1);
    const rows = targets instanceof tf.Tensor ? tf.tile(targets, [n, 1]) : tf.tensor2d(Array.from({ length: n }, () => targets.map((r) => [...r])).flat(), undefined, 'int32');
    return [tf.add(copies, noise) as tf.Tensor4D, rows as tf.Tensor2D];
  });
  try {
    const activations = tf.tidy(() => split.forward(noisy).activations);
    try {
      return targetGradients(split, activations, noisy, tiled, score);
    } finally {
      activations.dispose();
    }
  } finally {
    tf.dispose([noisy, tiled]);
  }
}
