import * as tf from '@tensorflow/tfjs';
import type { SplitModel } from '@wgcam/core/tfjs';

/** What one forward pass leaves for the explanation; the caller disposes every tensor. */
export interface ForwardTensors {
  readonly activations: tf.Tensor4D;
  readonly logits: tf.Tensor2D;
  readonly probabilities: tf.Tensor2D;
}

/** A forward pass plus d(target logit)/d(activations). */
export interface GradientTensors extends ForwardTensors {
  readonly gradients: tf.Tensor4D;
}

/**
 * Runs the model to the target layer and on to the logits, in one pass.
 *
 * @example
 * const { activations, probabilities } = forwardPass(split, input);
 */
export function forwardPass(split: SplitModel, input: tf.Tensor4D): ForwardTensors {
  return tf.tidy(() => {
    const { activations, logits } = split.forward(input);
    return { activations, logits, probabilities: tf.softmax(logits) };
  });
}

/**
 * Forward pass and the gradient of one class's logit with respect to the layer's
 * activations. The class is `target`, or for 'top1' the argmax of the logits taken on the
 * GPU, so no value comes back to the CPU before the gradient is recorded.
 *
 * @example
 * const { activations, gradients } = gradientPass(split, input, 'top1');
 */
export function gradientPass(split: SplitModel, input: tf.Tensor4D, target: 'top1' | number): GradientTensors {
  return tf.tidy(() => {
    const { activations, logits } = split.forward(input);
    const batch = input.shape[0];
    const classes = target === 'top1' ? tf.argMax(logits, 1) : tf.fill([batch], target, 'int32');
    const oneHot = tf.oneHot(classes as tf.Tensor1D, split.classes).toFloat();
    const gradient = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(split.head(a as tf.Tensor4D, input), oneHot)));
    return { activations, logits, probabilities: tf.softmax(logits), gradients: gradient(activations) as tf.Tensor4D };
  });
}

/**
 * The class to explain as a number on the CPU (CAM and Score-CAM take their target
 * there): `target` itself, or the argmax of the logits (one value read back).
 *
 * @example
 * const k = await cpuTarget(logits, 'top1');
 */
export async function cpuTarget(logits: tf.Tensor2D, target: 'top1' | number): Promise<number> {
  if (target !== 'top1') return target;
  const top = tf.argMax(logits, 1);
  try {
    return (await top.data())[0] ?? 0;
  } finally {
    top.dispose();
  }
}
