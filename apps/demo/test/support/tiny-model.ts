// A small seeded CNN with the bundled model's layout (conv → pool → conv 'last_conv' →
// GAP → dense 'logits' → softmax), saved as TF.js files: the "user's own model" the
// tests load by URL, independent of the trained files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

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
  mkdirSync(dir, { recursive: true });
  const model = tinyCnn(seed);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData as ArrayBuffer;
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(weights));
      const json = {
        format: 'layers-model',
        generatedBy: 'wgcam demo tests',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  writeFileSync(join(dir, 'labels.json'), JSON.stringify(TINY_LABELS));
}
