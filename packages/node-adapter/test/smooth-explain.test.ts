// Smooth Grad-CAM++ and eigen smoothing through the TF.js explainer (cpu backend, the
// engine on its own device): the noise's options do what they say, the passes are
// counted, eigen-smoothed maps equal the float64 reference on the read-back A and G.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, type MethodName } from '@wgcam/core';
import { referenceHeatmaps, relativeL2 } from '@wgcam/core/reference';
import { Explainer, toModelInput, UNIT_SCALE } from '@wgcam/core/tfjs';
import { useCpuBackendEngine } from './cpu-engine.js';
import { seededImage, tinyCnn } from './tiny-model.js';

const gpu = useCpuBackendEngine();
let explainer: Explainer;
const image = seededImage(21);

beforeAll(() => {
  // Cut before last_conv: its ReLU makes the gradients depend on the input (after it, a
  // GAP → Dense head has the same gradient for every input, and noise would change nothing).
  explainer = new Explainer(tinyCnn(13), { engine: gpu.engine, layer: 'pool1' });
});
afterAll(() => explainer.dispose());

async function heatmap(method: MethodName, extra: { smoothGrad?: { numSamples?: number; std?: number; seed?: number }; eigenSmooth?: boolean } = {}): Promise<Float32Array> {
  const result = await explainer.explain(image, { method, target: 1, overlay: false, ...extra });
  return result.items[0]!.heatmap;
}

describe('Smooth Grad-CAM++ through the explainer', () => {
  it('with std 0 every sample is the clean input: the map is Grad-CAM++\'s', async () => {
    const smooth = await heatmap('smoothgradcampp', { smoothGrad: { numSamples: 3, std: 0 } });
    expect(relativeL2(smooth, await heatmap('gradcam++'))).toBeLessThan(1e-5);
  });

  it('noise changes the map; the same seed repeats it exactly, another seed does not', async () => {
    const options = { numSamples: 4, std: 0.5, seed: 11 };
    const first = await heatmap('smoothgradcampp', { smoothGrad: options });
    const again = await heatmap('smoothgradcampp', { smoothGrad: options });
    const other = await heatmap('smoothgradcampp', { smoothGrad: { ...options, seed: 12 } });
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(relativeL2(other, first)).toBeGreaterThan(1e-3);
    expect(relativeL2(first, await heatmap('gradcam++'))).toBeGreaterThan(1e-3);
  });

  it('equals the float64 reference on each noisy copy\'s own passes', async () => {
    const options = { numSamples: 3, std: 0.4, seed: 5 };
    const split = explainer.split;
    const input = toModelInput([image], split.inputShape, UNIT_SCALE);
    const clean = split.forward(input);
    // The noise TF.js's seeded generator gives the explainer (seed + 1), one sample at a time.
    const noise = tf.randomNormal([options.numSamples, ...input.shape.slice(1)], 0, options.std, 'float32', options.seed + 1);
    const oneHot = tf.oneHot(tf.tensor1d([1], 'int32'), split.classes).toFloat();
    const A = (await clean.activations.data()) as Float32Array;
    const G = new Float32Array(options.numSamples * A.length);
    for (let n = 0; n < options.numSamples; n++) {
      const noisy = tf.add(input, tf.slice(noise, [n, 0, 0, 0], [1, -1, -1, -1])) as tf.Tensor4D;
      const pass = split.forward(noisy);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(split.head(a as tf.Tensor4D, noisy), oneHot)))(pass.activations);
      G.set((await g.data()) as Float32Array, n * A.length);
      tf.dispose([noisy, pass.activations, pass.logits, g]);
    }
    const [, h, w, c] = clean.activations.shape;
    const expected = referenceHeatmaps({
      method: 'smoothgradcampp',
      activations: { data: A, shape: clean.activations.shape },
      gradients: { data: G, shape: [options.numSamples, h, w, c] },
      size: { height: image.height, width: image.width },
    }).heatmap;
    tf.dispose([input, clean.activations, clean.logits, noise, oneHot]);
    expect(relativeL2(await heatmap('smoothgradcampp', { smoothGrad: options }), expected)).toBeLessThan(1e-5);
  });

  it('runs one more batched forward pass and one more backward pass per target', async () => {
    const many = await explainer.explainMany(image, { methods: ['gradcam', 'smoothgradcampp'], target: { topK: 2 }, overlay: false });
    expect(many.passes).toEqual({ forward: 2, backward: 4, maskedForward: 0 });
    const alone = await explainer.explainMany(image, { methods: ['smoothgradcampp'], target: 1, overlay: false });
    // No clean backward pass when no other gradient method needs it.
    expect(alone.passes).toEqual({ forward: 2, backward: 1, maskedForward: 0 });
  });

  it.each([
    [{ numSamples: 0 }, /numSamples must be a positive integer/],
    [{ numSamples: 2.5 }, /numSamples must be a positive integer/],
    [{ std: -1 }, /std must be a finite number ≥ 0/],
    [{ seed: -3 }, /seed must be an integer/],
  ] as const)('refuses smoothGrad %o', async (smoothGrad, message) => {
    const error = await heatmap('smoothgradcampp', { smoothGrad }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('eigen smoothing through the explainer', () => {
  /** The float64 reference's eigen-smoothed heatmap on A and G read back from TF.js. */
  async function reference(method: MethodName): Promise<Float64Array> {
    const split = explainer.split;
    const input = toModelInput([image], split.inputShape, UNIT_SCALE);
    const { activations, logits } = split.forward(input);
    const oneHot = tf.oneHot(tf.tensor1d([1], 'int32'), split.classes).toFloat();
    const G = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(split.head(a as tf.Tensor4D, input), oneHot)))(activations);
    const shape = activations.shape;
    const expected = referenceHeatmaps({
      method,
      activations: { data: (await activations.data()) as Float32Array, shape },
      gradients: { data: (await G.data()) as Float32Array, shape },
      size: { height: image.height, width: image.width },
      eigenSmooth: true,
    }).heatmap;
    tf.dispose([input, activations, logits, oneHot, G]);
    return expected;
  }

  it.each(['gradcam', 'gradcam++', 'layercam', 'hirescam', 'gradcamelementwise'] as const)('%s: equals the float64 reference and differs from the plain map', async (method) => {
    const smoothed = await heatmap(method, { eigenSmooth: true });
    expect(relativeL2(smoothed, await reference(method))).toBeLessThan(1e-5);
    expect(relativeL2(smoothed, await heatmap(method))).toBeGreaterThan(1e-3);
  });

  it('applies to the methods that take it and leaves the others as they are', async () => {
    const many = await explainer.explainMany(image, { methods: ['gradcam', 'eigencam'], target: 1, overlay: false, eigenSmooth: true });
    expect(relativeL2(many.explanations[0]!.items[0]!.heatmap, await heatmap('gradcam', { eigenSmooth: true }))).toBe(0);
    expect(relativeL2(many.explanations[1]!.items[0]!.heatmap, await heatmap('eigencam'))).toBe(0);
  });

  it('is refused when no requested method takes it, naming those that do', async () => {
    const error = await heatmap('eigencam', { eigenSmooth: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/eigenSmooth applies to gradcam, gradcam\+\+/);
  });
});
