import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { LayerSplits } from '../src/pipeline/layer-splits.js';

function model(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'last_conv' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 3, name: 'logits' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.activation({ activation: 'softmax' }).apply(x) as tf.SymbolicTensor });
}

describe('LayerSplits', () => {
  it('offers every 4-D layer and switches between them in any order', () => {
    const splits = new LayerSplits(model());
    expect(splits.names).toEqual(['conv1', 'pool1', 'last_conv']);
    expect(splits.automatic).toBe('last_conv');
    const input = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    const channels: Record<string, number> = { conv1: 4, pool1: 4, last_conv: 6 };
    for (const layer of ['conv1', 'last_conv', 'pool1', null, 'conv1'] as const) {
      const split = splits.get(layer);
      expect(split.layer).toBe(layer ?? 'last_conv');
      const { activations, logits } = split.forward(input);
      expect(activations.shape[3]).toBe(channels[split.layer]);
      expect(logits.shape).toEqual([1, 3]);
      tf.dispose([activations, logits]);
    }
    expect(() => splits.get('gap')).toThrow(/not one of the offered layers/);
    input.dispose();
    splits.dispose();
  });

  it('loads a model with layers that are no cut points, and does not offer them', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const stem = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'stem' }).apply(input) as tf.SymbolicTensor;
    const inner = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'inner' }).apply(stem) as tf.SymbolicTensor;
    const block = tf.layers.add({ name: 'block_out' }).apply([stem, inner]) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(block) as tf.SymbolicTensor;
    const residual = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(pooled) as tf.SymbolicTensor });
    const splits = new LayerSplits(residual);
    expect(splits.names).toEqual(['stem', 'block_out']);
    expect(splits.get(null).layer).toBe('block_out');
    expect(() => splits.get('inner')).toThrow(/not one of the offered layers: stem, block_out/);
    expect(splits.get('stem').layer).toBe('stem');
    splits.dispose();
  });

  it('refuses a model without a 4-D layer', () => {
    const input = tf.input({ shape: [8] });
    const dense = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor });
    expect(() => new LayerSplits(dense)).toThrow(/4-D/);
  });
});
