// A small seeded CNN with the bundled model's layout (conv → pool → conv 'last_conv' →
// GAP → dense 'logits' → softmax), saved as TF.js files: the "user's own model" the
// tests load by URL, independent of the trained files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystemSaver } from '@wgcam/shapes/node';

export const TINY_LABELS = ['alpha', 'beta', 'gamma', 'delta'];

function tinyCnn(seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotNormal({ seed: seed + s });
  const input = tf.input({ shape: [24, 24, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1), name: 'conv1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2), biasInitializer: tf.initializers.constant({ value: 0.05 }), name: 'last_conv' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: TINY_LABELS.length, kernelInitializer: init(3), name: 'logits' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.activation({ activation: 'softmax', name: 'probs' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'tiny_user_model' });
}

/**
 * Writes model.json, weights.bin and labels.json of a seeded tiny model into `dir`.
 *
 * @example
 * await writeTinyModel('test-artifacts/fixtures/tiny');
 */
export async function writeTinyModel(dir: string, seed = 11): Promise<void> {
  const model = tinyCnn(seed);
  await model.save(fileSystemSaver(dir));
  model.dispose();
  writeFileSync(join(dir, 'labels.json'), JSON.stringify(TINY_LABELS));
}
