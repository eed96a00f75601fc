// The Node loader of the bundled shapes CNN, on a model of the same architecture saved to a
// temporary directory (TF.js's CPU backend; no GPU needed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemSaver } from '@wgcam/shapes/node';
import { prepareBenchModel } from '../src/models/bench-model.js';
import { loadLayersModelFile } from '../src/node/shapes-model.js';

const dir = mkdtempSync(join(tmpdir(), 'wgcam-bench-model-'));

function shapesLikeCnn(): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3], name: 'input' });
  let x = tf.layers.conv2d({ name: 'conv1', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ name: 'last_conv', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ name: 'logits', units: 5 }).apply(x) as tf.SymbolicTensor;
  const probs = tf.layers.softmax({ name: 'probs' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probs });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shapes CNN loading and splitting', () => {
  it('returns null when the model is absent', async () => {
    expect(await loadLayersModelFile(join(dir, 'missing', 'model.json'))).toBeNull();
  });

  it('loads a saved LayersModel and splits it before global average pooling', async () => {
    const model = shapesLikeCnn();
    await model.save(fileSystemSaver(dir, 'group1-shard1of1.bin'));
    const loaded = await loadLayersModelFile(join(dir, 'model.json'));
    expect(loaded).not.toBeNull();
    const bench = prepareBenchModel('shapes-cnn', loaded as tf.LayersModel);
    expect(bench.targetLayer).toBe('last_conv');
    expect(bench.feature).toEqual({ height: 16, width: 16, channels: 8 });
    expect(bench.classes).toBe(5);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    // The head returns logits: softmax of them is the full model's output.
    const split = tf.softmax(bench.split.head(bench.split.features(x)));
    const full = model.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(split, full))).dataSync()[0]).toBeLessThan(1e-6);
    expect(bench.split.denseKernel.shape).toEqual([8, 5]);
  });
});
