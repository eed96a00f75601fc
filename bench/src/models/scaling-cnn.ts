// A small CNN whose last conv layer has a chosen channel count, for timing how Score-CAM
// grows with channels: one masked forward pass per channel.
import * as tf from '@tensorflow/tfjs';
import { SeedSequence } from './seeded-init.js';

/** Input side of the scaling CNN. */
export const SCALING_INPUT = 32;

/**
 * 32×32×3 → conv 16 (stride 2) → conv `channels` (stride 2, the target) → GAP → Dense(10).
 *
 * @example
 * const model = buildScalingCnn(64); // target layer 8×8×64
 */
export function buildScalingCnn(channels: number): tf.LayersModel {
  const seeds = new SeedSequence(100 + channels);
  const input = tf.input({ shape: [SCALING_INPUT, SCALING_INPUT, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: seeds.heNormal(), name: 'conv1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: channels, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: seeds.heNormal(), name: 'last_conv' }).apply(x) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 10, kernelInitializer: seeds.glorotUniform(), name: 'logits' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: `scaling_cnn_c${channels}` });
}
