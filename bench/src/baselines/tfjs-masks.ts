// Baseline 3: Score-CAM's masked inputs made the way a TF.js user would, with a loop of
// ops per channel: upsample the channel to the input size, min-max normalise it, multiply
// the image by it.
import * as tf from '@tensorflow/tfjs';

/**
 * Masked inputs of pairs first..first+count−1 ((b, c) in B·C order), [count, H, W, Cin];
 * a constant channel gives an all-zero mask. Call inside tf.tidy.
 *
 * @example
 * const masks = tf.tidy(() => tfjsMasks(activations, input, 0, 16));
 */
export function tfjsMasks(activations: tf.Tensor4D, input: tf.Tensor4D, first: number, count: number): tf.Tensor4D {
  const [, h, w, channels] = activations.shape;
  const [, height, width, inputChannels] = input.shape;
  const masked: tf.Tensor4D[] = [];
  for (let pair = first; pair < first + count; pair++) {
    const b = Math.floor(pair / channels);
    const c = pair % channels;
    const plane = tf.slice(activations, [b, 0, 0, c], [1, h, w, 1]);
    const up = tf.image.resizeBilinear(plane, [height, width], false, true);
    const low = tf.min(up);
    // divNoNan: a constant channel has spread 0 and up − low = 0, so its mask is 0.
    const mask = tf.divNoNan(tf.sub(up, low), tf.sub(tf.max(up), low));
    masked.push(tf.mul(tf.slice(input, [b, 0, 0, 0], [1, height, width, inputChannels]), mask));
  }
  return tf.concat(masked, 0);
}

/**
 * Whether each (b, c) channel is constant once upsampled to `size` (Score-CAM gives it weight 0), [B·C].
 *
 * @example
 * const constant = await constantChannels(activations, { height: 224, width: 224 });
 */
export async function constantChannels(activations: tf.Tensor4D, size: { height: number; width: number }): Promise<boolean[]> {
  const spread = tf.tidy(() => {
    const up = tf.image.resizeBilinear(activations, [size.height, size.width], false, true);
    return tf.sub(tf.max(up, [1, 2]), tf.min(up, [1, 2]));
  });
  const values = await spread.data();
  spread.dispose();
  return Array.from(values, (v) => !(v > 0));
}

/**
 * Score-CAM weights [B, C] from the logits of all B·C masked inputs: softmax(logits)[target],
 * 0 for constant channels (the 'probability' variant, as in the authors' code).
 *
 * @example
 * const weights = scoreCamWeights(logits, classes, channels, targets, constant);
 */
export function scoreCamWeights(logits: Float32Array, classes: number, channels: number, targets: readonly number[], constant: readonly boolean[]): Float32Array {
  const pairs = logits.length / classes;
  const weights = new Float32Array(pairs);
  for (let pair = 0; pair < pairs; pair++) {
    if (constant[pair]) continue;
    const row = logits.subarray(pair * classes, (pair + 1) * classes);
    let largest = -Infinity;
    for (const v of row) largest = Math.max(largest, v);
    let total = 0;
    for (const v of row) total += Math.exp(v - largest);
    const target = targets[Math.floor(pair / channels)] as number;
    weights[pair] = Math.exp((row[target] as number) - largest) / total;
  }
  return weights;
}
