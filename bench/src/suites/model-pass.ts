// The model's own work for one batch: the forward pass to the target layer and the logits,
// then the gradient of each image's target score with respect to the target layer.
import * as tf from '@tensorflow/tfjs';
import { submitTfWork } from '../gpu/tf-queue.js';
import type { BenchModel } from '../models/bench-model.js';
import type { SpanTime, SpanTimer } from '../timing/span-timer.js';

/** d(Σ_b logits[b, target_b]) / dA: each image's target-score gradient (images are independent). */
function gradientOfTargets(bench: BenchModel, activations: tf.Tensor4D, targetsOneHot: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(bench.split.head(a as tf.Tensor4D), targetsOneHot)))(activations)) as tf.Tensor4D;
}

/** Activations and gradients of one pass, and how long each half took. */
export interface PassOutputs {
  readonly activations: tf.Tensor4D;
  readonly gradients: tf.Tensor4D;
  readonly forward: SpanTime;
  readonly backward: SpanTime;
}

/**
 * Runs and times one forward and one backward pass; `targetsOneHot` is [B, classes].
 *
 * @example
 * const { activations, gradients, forward, backward } = await timedPass(timer, bench, x, oneHot);
 */
export async function timedPass(timer: SpanTimer, bench: BenchModel, input: tf.Tensor4D, targetsOneHot: tf.Tensor2D): Promise<PassOutputs> {
  const forward = await timer.time(() => {
    const activations = bench.split.features(input);
    tf.dispose(bench.split.head(activations));
    submitTfWork();
    return activations;
  });
  const backward = await timer.time(() => {
    const gradients = gradientOfTargets(bench, forward.value, targetsOneHot);
    submitTfWork();
    return gradients;
  });
  return { activations: forward.value, gradients: backward.value, forward, backward };
}

/** The untimed first pass, which also picks the classes to explain. */
export interface WarmupOutputs {
  readonly activations: tf.Tensor4D;
  readonly gradients: tf.Tensor4D;
  /** Each image's highest-scoring class. */
  readonly targets: number[];
  /** The targets one-hot, [B, classes], for later passes. */
  readonly targetsOneHot: tf.Tensor2D;
}

/**
 * The first pass (shaders compile here): forward, each image's top class, its gradient.
 *
 * @example
 * const { activations, gradients, targets } = await warmupPass(bench, x);
 */
export async function warmupPass(bench: BenchModel, input: tf.Tensor4D): Promise<WarmupOutputs> {
  const activations = bench.split.features(input);
  const best = tf.tidy(() => tf.argMax(bench.split.head(activations), 1));
  const targets = Array.from(await best.data());
  best.dispose();
  const targetsOneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(targets, 'int32'), bench.classes).toFloat() as tf.Tensor2D);
  const gradients = gradientOfTargets(bench, activations, targetsOneHot);
  return { activations, gradients, targets, targetsOneHot };
}
