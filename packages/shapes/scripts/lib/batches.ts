import type * as tfType from '@tensorflow/tfjs';
import { NUM_SHAPE_CLASSES, toModelInput, type Sample } from '../../src/index.js';

/**
 * Stacks samples into the model's input tensor [N, S, S, 3] (float32 RGB in [0, 1]) and,
 * for training, one-hot labels [N, 5] of each sample's first object.
 *
 * @example
 * const { x, y } = samplesToTensors(tf, generateDataset(1, 64));
 */
export function samplesToTensors(tf: typeof tfType, samples: readonly Sample[]): { x: tfType.Tensor4D; y: tfType.Tensor2D } {
  const first = samples[0];
  if (first === undefined) throw new Error('samplesToTensors: no samples');
  const size = first.size;
  const perImage = size * size * 3;
  const data = new Float32Array(samples.length * perImage);
  samples.forEach((s, i) => toModelInput(s.pixels, data, i * perImage));
  const x = tf.tensor4d(data, [samples.length, size, size, 3]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(samples.map((s) => s.label), 'int32'), NUM_SHAPE_CLASSES).toFloat() as tfType.Tensor2D);
  return { x, y };
}
