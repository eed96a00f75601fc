import * as tf from '@tensorflow/tfjs';
import { AUG_SMOOTH_FLIPS } from '../fused-plan.js';

/**
 * pytorch-grad-cam's aug_smooth augmentations (ttach Compose([HorizontalFlip(),
 * Multiply(factors=[0.9, 1, 1.1])]), in ttach's product order): each model input (after
 * preprocessing) without and with a horizontal flip, times 0.9, 1 and 1.1.
 */
export const AUG_SMOOTH = {
  flips: AUG_SMOOTH_FLIPS,
  factors: [0.9, 1, 1.1, 0.9, 1, 1.1],
  /** The augmentation that leaves the input as it is: its predictions are the image's. */
  identity: 1,
} as const;

/**
 * The T augmented copies of a batch of model inputs, image b's copy t at row b·T + t.
 *
 * @example
 * const x = augmentInputs(input); // [6·B, H, W, C]
 */
export function augmentInputs(input: tf.Tensor4D, flips: readonly boolean[] = AUG_SMOOTH.flips, factors: readonly number[] = AUG_SMOOTH.factors): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = input.shape;
    const flipped = tf.reverse(input, 2);
    const copies = flips.map((flip, t) => tf.mul(flip ? flipped : input, factors[t]!));
    return tf.stack(copies, 1).reshape([batch * flips.length, height, width, channels]) as tf.Tensor4D;
  });
}

/**
 * Rows b·T + `index` of a [B·T, ...] tensor: one augmentation's copy of every image.
 *
 * @example
 * const logits = copyOfEach(augmentedLogits, 6, AUG_SMOOTH.identity); // [B, classes]
 */
export function copyOfEach<T extends tf.Tensor>(tensor: T, augments: number, index: number): T {
  return tf.tidy(() => {
    const rows = Array.from({ length: tensor.shape[0]! / augments }, (_, b) => b * augments + index);
    return tf.gather(tensor, tf.tensor1d(rows, 'int32')) as T;
  });
}

/**
 * Each row of class indices repeated for the image's T copies: [B, K] → [B·T, K].
 *
 * @example
 * repeatRows([[3], [1]], 2); // [[3], [3], [1], [1]]
 */
export function repeatRows(targets: readonly (readonly number[])[] | tf.Tensor2D, augments: number): number[][] | tf.Tensor2D {
  if (!(targets instanceof tf.Tensor)) return targets.flatMap((row) => Array.from({ length: augments }, () => [...row]));
  return tf.tidy(() => {
    const [batch, k] = targets.shape;
    return tf.tile(targets.expandDims(1), [1, augments, 1]).reshape([batch * augments, k]) as tf.Tensor2D;
  });
}
