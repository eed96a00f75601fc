import * as tf from '@tensorflow/tfjs';
import { GradientError } from './errors.js';
import type { SplitModel } from './split-model.js';

interface TapeState {
  gradientDepth: number;
  activeTape: { saved?: tf.Tensor[] }[] | null;
}

/**
 * tf.grad keeps the forward pass's saved tensors on its tape and frees them only when
 * backprop succeeds; after a failed backprop (an op without a gradient) they would leak.
 * @internal
 */
export function discardFailedTape(): void {
  const state = (tf.engine() as unknown as { state: TapeState }).state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) for (const tensor of node.saved ?? []) tensor.dispose();
  state.activeTape = null;
}

/**
 * d(score of target k)/d(activations) for every image: [B, h, w, C] for one target per
 * image, [B, K, h, w, C] for K. Each image's score depends only on its own activations,
 * so one gradient of the batch-summed score gives every image's gradient. `targets` are
 * class indices [B][K], or an int32 [B, K] tensor chosen on the device (no readback).
 *
 * @example
 * const gradients = targetGradients(split, activations, input, [[3], [1]], 'logit');
 */
export function targetGradients(split: SplitModel, activations: tf.Tensor4D, input: tf.Tensor4D, targets: readonly (readonly number[])[] | tf.Tensor2D, score: 'logit' | 'probability'): tf.Tensor {
  const k = targets instanceof tf.Tensor ? targets.shape[1] : (targets[0]?.length ?? 1);
  try {
    return tf.tidy(() => {
      const perTarget = Array.from({ length: k }, (_, j) => {
        const column = targets instanceof tf.Tensor ? targets.slice([0, j], [-1, 1]).reshape([-1]).toInt() : tf.tensor1d(targets.map((row) => row[j]!), 'int32');
        const oneHot = tf.oneHot(column as tf.Tensor1D, split.classes).toFloat();
        const gradient = tf.grad((a: tf.Tensor) => {
          const logits = split.head(a as tf.Tensor4D, input);
          const scores = score === 'probability' ? tf.softmax(logits) : logits;
          return tf.sum(tf.mul(scores, oneHot));
        });
        return gradient(activations);
      });
      return k === 1 ? perTarget[0]! : tf.stack(perTarget, 1);
    });
  } catch (error) {
    discardFailedTape();
    const message = (error as Error).message;
    if (/gradient/i.test(message)) {
      throw new GradientError(
        `TF.js cannot differentiate the model after layer '${split.layer}': ${message}. ` +
          'Pick a later layer (fewer ops to differentiate), or use Score-CAM, which needs no gradients.',
        { cause: error },
      );
    }
    throw error;
  }
}
