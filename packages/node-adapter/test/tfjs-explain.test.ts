// The TF.js path end to end on the webgpu backend (Dawn): heatmaps equal the lower API's
// on the same activations and gradients read back, nothing leaks, A and G stay on the GPU.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES, type MethodName } from '@wgcam/core';
import { relativeL2 } from '@wgcam/core/reference';
import { bridgeCounters, Explainer, GradientError, ModelError } from '@wgcam/core/tfjs';
import { useTfjsWebGpu } from '../src/index.js';
import { lowerApiHeatmapOf } from './lower-api.js';
import { seededImage, tinyCnn } from './tiny-model.js';

let model: tf.LayersModel;
let explainer: Explainer;
const image = seededImage(3);


beforeAll(async () => {
  await useTfjsWebGpu();
  model = tinyCnn();
  explainer = new Explainer(model, { labels: ['a', 'b', 'c', 'd', 'e'] });
});

const lowerApiHeatmap = (method: MethodName, target: number): Promise<Float32Array> => lowerApiHeatmapOf(explainer, image, method, target);

describe('explain() on a LayersModel, webgpu backend', () => {
  it('picks the last 4-D layer automatically and reports it', async () => {
    const result = await explainer.explain(image, { method: 'gradcam' });
    expect(result.layer).toBe('last_conv');
    expect(result.automaticLayer).toBe(true);
    expect(result.heatmapSize).toEqual({ height: 20, width: 24 });
    expect(result.items[0]!.overlay!.length).toBe(20 * 24 * 4);
    const probabilities = result.predictions[0]!.map((p) => p.probability);
    expect(probabilities[0]).toBeGreaterThanOrEqual(probabilities[1]!);
    expect(result.items[0]!.classIndex).toBe(result.predictions[0]![0]!.classIndex);
  });

  it.each(METHOD_NAMES)('%s equals the lower API on read-back activations and gradients', async (method) => {
    // SS-CAM and IS-CAM with 4 samples (numSamples·C passes on a software GPU), a seed and std not the defaults (Smooth Grad-CAM++ too).
    const options = { numSamples: 4, std: 0.5, seed: 7, variant: 'channel-softmax' } as const;
    const result = await explainer.explain(image, { method, target: 2, scoreCam: { batchSize: 5, ...options }, smoothGrad: options });
    const expected = await lowerApiHeatmapOf(explainer, image, method, 2, undefined, options);
    expect(relativeL2(result.items[0]!.heatmap, expected)).toBeLessThan(1e-5);
    expect(result.items[0]!.heatmap.some((v) => v > 0)).toBe(true);
  });

  it.each(['output', 'feature'] as const)("normalize: '%s' equals the lower API's, through explain()", async (normalize) => {
    const result = await explainer.explain(image, { method: 'gradcam', target: 2, normalize, overlay: false });
    const heatmap = result.items[0]!.heatmap;
    expect(relativeL2(heatmap, await lowerApiHeatmapOf(explainer, image, 'gradcam', 2, normalize))).toBeLessThan(1e-5);
    const max = Math.max(...heatmap);
    // 1 up to the 1e-7 guard, which is not negligible on this tiny model's small raw maps (~1e-3).
    if (normalize === 'output') expect(max).toBeGreaterThan(0.999);
    else expect(relativeL2(heatmap, await lowerApiHeatmapOf(explainer, image, 'gradcam', 2, 'output'))).toBeGreaterThan(1e-4);
  });

  it('refuses an unknown normalize before running the model', async () => {
    await expect(explainer.explain(image, { method: 'gradcam', normalize: 'pixels' as never })).rejects.toThrow(/unknown normalize 'pixels'; use output or feature/);
  });

  it('cuts one model at several layers, in any order, with the same logits each time', async () => {
    const model = tinyCnn(11);
    const input = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const direct = model.predict(input) as tf.Tensor;
    const logDirect = tf.log(direct);
    const reference = await logDirect.data();
    logDirect.dispose();
    for (const layer of ['last_conv', 'conv1', 'pool1', 'last_conv']) {
      const cut = new Explainer(model, { layer });
      expect(cut.split.layer).toBe(layer);
      const logits = cut.split.logits(input);
      const fromHead = tf.tidy(() => cut.split.head(cut.split.forward(input).activations, input));
      // log-softmax of the logits equals log of the model's probabilities.
      for (const scores of [logits, fromHead]) {
        const logSoftmax = tf.logSoftmax(scores);
        const logProbabilities = await logSoftmax.data();
        logSoftmax.dispose();
        expect(relativeL2(logProbabilities, reference)).toBeLessThan(1e-5);
      }
      const result = await cut.explain(image, { method: 'gradcam' });
      expect(result.layer).toBe(layer);
      tf.dispose([logits, fromHead]);
    }
    tf.dispose([input, direct]);
  });

  it('explains top-k classes and per-image targets in one pass', async () => {
    const images = [image, seededImage(9)];
    const topk = await explainer.explain(images, { method: 'gradcam++', target: { topK: 3 } });
    expect(topk.items.length).toBe(6);
    expect(topk.items.map((i) => i.image)).toEqual([0, 0, 0, 1, 1, 1]);
    const perImage = await explainer.explain(images, { method: 'layercam', target: ['b', 4] });
    expect(perImage.items.map((i) => [i.classIndex, i.label])).toEqual([[1, 'b'], [4, 'e']]);
  });

  it('keeps activations and gradients on the GPU: no readback beyond the logits', async () => {
    const backend = tf.backend() as unknown as { read(id: object): Promise<unknown>; readSync(id: object): unknown };
    const read = backend.read.bind(backend);
    const readSync = backend.readSync.bind(backend);
    let bytesRead = 0;
    let syncReads = 0;
    backend.read = async (id) => {
      const values = (await read(id)) as ArrayLike<number>;
      bytesRead += values.length * 4;
      return values;
    };
    backend.readSync = (id) => {
      syncReads += 1;
      return readSync(id);
    };
    const before = { ...bridgeCounters };
    try {
      await explainer.explain(image, { method: 'gradcam', overlay: false });
    } finally {
      backend.read = read;
      backend.readSync = readSync;
    }
    expect(bridgeCounters.zeroCopy - before.zeroCopy).toBe(2);
    expect(bridgeCounters.readBack).toBe(before.readBack);
    expect(syncReads).toBe(0);
    // Only the top-1 index and the 5 probabilities come back: far less than A (8·8·12 floats).
    expect(bytesRead).toBeLessThanOrEqual(4 * (1 + 5) * 2);
  });

  it('leaks no tensors or GPU buffers over 200 explanations', { timeout: 300_000 }, async () => {
    await explainer.explain(image, { method: 'gradcam' });
    const tensors = tf.memory().numTensors;
    const pool = explainer.engine.poolStats();
    for (let i = 0; i < 200; i++) {
      await explainer.explain(image, { method: i % 2 === 0 ? 'gradcam' : 'gradcam++' });
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(explainer.engine.poolStats().created).toBe(pool.created);
    expect(explainer.engine.poolStats().inUse).toBe(0);
  });
});

describe('bad input gives typed errors and leaks nothing', () => {
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['an unknown layer, listing candidates', () => new Explainer(model, { layer: 'conv9' }).explain(image, { method: 'gradcam' }), /no layer named 'conv9'; closest layers with a 4-D output: (?=.*conv1)(?=.*pool1)(?=.*last_conv)/],
    ['a layer that is not 4-D', () => new Explainer(model, { layer: 'gap' }).explain(image, { method: 'gradcam' }), /'gap' outputs shape \[\?, 12\], not a 4-D/],
    ['a target class out of range', () => explainer.explain(image, { method: 'gradcam', target: 7 }), /target class 7 is out of range: the model has classes 0..4/],
    ['an unknown label', () => explainer.explain(image, { method: 'gradcam', target: 'zebra' }), /unknown class label 'zebra'/],
  ];
  it.each(cases)('%s', async (_name, run, message) => {
    const before = tf.memory().numTensors;
    await expect(run()).rejects.toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a layer applied twice inside the model, a model with two inputs, a layer inside a residual block', () => {
    const x = tf.input({ shape: [8, 8, 3] });
    const shared = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'shared' });
    const a = shared.apply(x) as tf.SymbolicTensor;
    const b = shared.apply(a) as tf.SymbolicTensor;
    const merged = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(merged) as tf.SymbolicTensor;
    const twice = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 2 }).apply(pooled) as tf.SymbolicTensor });
    expect(() => new Explainer(twice, { layer: 'shared' }).split).toThrow(/'shared' is applied 2 times in the model/);

    const y = tf.input({ shape: [8, 8, 3] });
    const both = tf.layers.concatenate().apply([x, y]) as tf.SymbolicTensor;
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3 }).apply(both) as tf.SymbolicTensor;
    const head = tf.layers.dense({ units: 2 }).apply(tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor) as tf.SymbolicTensor;
    expect(() => new Explainer(tf.model({ inputs: [x, y], outputs: head })).split).toThrow(/the model has 2 inputs/);
    twice.dispose();

    // Inside a residual block: the prediction also depends on the path around the layer.
    const stem = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'stem' }).apply(x) as tf.SymbolicTensor;
    const inner = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'inner' }).apply(stem) as tf.SymbolicTensor;
    const block = tf.layers.add({ name: 'block_out' }).apply([stem, inner]) as tf.SymbolicTensor;
    const residual = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 2 }).apply(tf.layers.globalAveragePooling2d({}).apply(block) as tf.SymbolicTensor) as tf.SymbolicTensor });
    expect(() => new Explainer(residual, { layer: 'inner' }).split).toThrow(ModelError);
    expect(() => new Explainer(residual, { layer: 'inner' }).split).toThrow(/'inner' is not a cut point of the model/);
    expect(new Explainer(residual, { layer: 'block_out' }).split.layer).toBe('block_out');
    residual.dispose();
  });

  it('an image with 2 channels', async () => {
    const twoChannels = tf.zeros([8, 8, 2]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    await expect(explainer.explain(twoChannels, { method: 'gradcam' })).rejects.toThrow(/give \[H, W, 3\|4\]/);
    expect(tf.memory().numTensors).toBe(before);
    twoChannels.dispose();
  });

  it('a model with no spatial layer', async () => {
    const dense = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
    await expect(new Explainer(dense).explain(image, { method: 'gradcam' })).rejects.toThrow(ModelError);
  });

  it('CAM on a model without a GAP → Dense head', async () => {
    const input = tf.input({ shape: [16, 16, 3] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'c' }).apply(input) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(conv) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3 }).apply(flat) as tf.SymbolicTensor;
    const flatModel = tf.model({ inputs: input, outputs: out });
    const before = tf.memory().numTensors;
    await expect(new Explainer(flatModel).explain(image, { method: 'cam' })).rejects.toThrow(/CAM needs global average pooling/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an op with no registered gradient', async () => {
    class CropLayer extends tf.layers.Layer {
      static readonly className = 'WgcamTestCrop';
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
        return tf.image.cropAndResize(x, tf.tensor2d([[0, 0, 1, 1]]), tf.tensor1d([0], 'int32'), [4, 4]);
      }
      override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
        const s = shape as tf.Shape;
        return [s[0] ?? null, 4, 4, s[3] ?? null];
      }
    }
    const input = tf.input({ shape: [16, 16, 3] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'c' }).apply(input) as tf.SymbolicTensor;
    const crop = new CropLayer({}).apply(conv) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({}).apply(crop) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3 }).apply(gap) as tf.SymbolicTensor;
    const cropModel = tf.model({ inputs: input, outputs: out });
    const before = tf.memory().numTensors;
    await expect(new Explainer(cropModel, { layer: 'c' }).explain(image, { method: 'gradcam' })).rejects.toThrow(GradientError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
