// Multi-layer explanations and test-time augmentation smoothing through the TF.js
// explainer, on the bundled shapes CNN (both formats) and a Keras VGG-style fixture: the
// fused map equals the float64 fusion of each single-layer explanation; the smoothed map
// equals the float64 reference on the model's own augmented activations and gradients;
// one forward and one backward pass serve every layer of a LayersModel. TF.js on its cpu
// backend, wgcam's engine on its own device.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, type FuseMode, type MethodName } from '@wgcam/core';
import { normalizedHeat, referenceFused, relativeL2, upsampleBilinear } from '@wgcam/core/reference';
import type { Size2D } from '@wgcam/core';
import { AUG_SMOOTH, Explainer, ModelError, augmentInputs, toModelInput, type ExplainableModel, type Preprocess } from '@wgcam/core/tfjs';
import { BUNDLED_MODEL, BUNDLED_SAMPLES } from '../src/explain/bundled.js';
import { loadModel, readImage, type RgbaImage } from '../src/index.js';
import { useCpuBackendEngine } from './cpu-engine.js';
import { fixtureMeta, fixturesPresent, FIXTURES } from './fixtures.js';

const gpu = useCpuBackendEngine();
const BUNDLED_GRAPH = join(BUNDLED_MODEL, '..', '..', 'shapes-cnn-graph', 'model.json');

async function sample(): Promise<RgbaImage> {
  return readImage(join(BUNDLED_SAMPLES, 'two-objects-1.png'));
}

/**
 * The fused map rebuilt in float64 from each layer's own single-layer explanation (its map
 * normalised at feature resolution), and the fused explanation, for the same target.
 */
async function fusedAgainstSingles(model: ExplainableModel, layers: readonly string[], method: MethodName, fuse: FuseMode, preprocess: Preprocess, image: RgbaImage): Promise<{ error: number; backward: number; forward: number; peak: number }> {
  const fused = new Explainer(model, { engine: gpu.engine, layer: layers, preprocess });
  try {
    const many = await fused.explainMany(image, { methods: [method], fuse, size: 'input', overlay: false, target: { topK: 2 } });
    const explanation = many.explanations[0]!;
    expect(explanation.layers).toEqual(fused.multi.layers);
    const target = explanation.items.map((item) => item.classIndex);
    const singles = await Promise.all(
      layers.map(async (layer) => {
        const single = new Explainer(model, { engine: gpu.engine, layer, preprocess });
        try {
          const e = await single.explain(image, { method, size: 'feature', normalize: 'feature', overlay: false, target: { topK: 2 } });
          expect(e.items.map((item) => item.classIndex)).toEqual(target);
          return { maps: Float64Array.from(e.items.flatMap((item) => [...item.heatmap])), size: e.heatmapSize };
        } finally {
          single.dispose();
        }
      }),
    );
    const size = explanation.heatmapSize;
    const count = explanation.items.length;
    // Each single map is already normalised at its feature resolution: resize, fuse, normalise.
    const expected = normalizedHeat(fuseNormalized(singles, count, size, fuse), count, size, size, 'output');
    const actual = Float32Array.from(explanation.items.flatMap((item) => [...item.heatmap]));
    return { error: relativeL2(actual, expected), backward: many.passes.backward, forward: many.passes.forward, peak: Math.max(...actual) };
  } finally {
    fused.dispose();
  }
}

/** Mean or maximum over layers of already normalised maps resized to `size` (float64). */
function fuseNormalized(layers: readonly { maps: Float64Array; size: Size2D }[], count: number, size: Size2D, fuse: FuseMode): Float64Array {
  const resized = layers.map((l) => upsampleBilinear(l.maps, count, l.size, size));
  return resized[0]!.map((_, i) => (fuse === 'mean' ? resized.reduce((s, r) => s + r[i]!, 0) / resized.length : Math.max(...resized.map((r) => r[i]!))));
}

describe('multi-layer explanations equal the fusion of single-layer ones', () => {
  const cases: [string, readonly string[], MethodName, FuseMode][] = [
    ['two layers, Grad-CAM, mean', ['conv2', 'last_conv'], 'gradcam', 'mean'],
    ['three layers in any order, Grad-CAM++, max', ['last_conv', 'conv1', 'conv2'], 'gradcam++', 'max'],
    ['two layers, Layer-CAM, mean', ['conv1', 'last_conv'], 'layercam', 'mean'],
    ['two layers, Eigen-CAM (no gradients), max', ['conv2', 'last_conv'], 'eigencam', 'max'],
  ];
  it.each(cases)('bundled LayersModel: %s; one forward, one backward per target', async (_name, layers, method, fuse) => {
    const model = await loadModel(BUNDLED_MODEL);
    try {
      const { error, forward, backward, peak } = await fusedAgainstSingles(model, layers, method, fuse, 'unit', await sample());
      console.log(`bundled layers ${layers.join('+')} ${method} ${fuse}: relative L2 ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-5);
      expect(peak).toBeGreaterThan(1 - 1e-5);
      expect(forward).toBe(1);
      expect(backward).toBe(METHODS_WITHOUT_GRADIENTS.has(method) ? 0 : 2);
    } finally {
      model.dispose();
    }
  });

  it('bundled GraphModel: two layers, Grad-CAM, mean; one pass per layer', async () => {
    const model = await loadModel(BUNDLED_GRAPH);
    try {
      const { error, forward, backward } = await fusedAgainstSingles(model, ['conv2', 'last_conv'], 'gradcam', 'mean', 'unit', await sample());
      console.log(`bundled graph conv2+last_conv gradcam mean: relative L2 ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-5);
      expect(forward).toBe(2);
      expect(backward).toBe(4);
    } finally {
      model.dispose();
    }
  });

  it.runIf(fixturesPresent('keras'))('Keras VGG-style fixture (LayersModel): block2_conv2 + block3_conv3, Grad-CAM, mean and max', { timeout: 300_000 }, async () => {
    const dir = join(FIXTURES, 'keras', 'vgg_small');
    const meta = fixtureMeta(dir);
    const model = await loadModel(join(dir, 'layers', 'model.json'));
    try {
      for (const fuse of ['mean', 'max'] as const) {
        const { error, forward, backward } = await fusedAgainstSingles(model, ['block2_conv2', meta.layer], 'gradcam', fuse, meta.preprocess, await sample());
        console.log(`vgg_small block2_conv2+${meta.layer} gradcam ${fuse}: relative L2 ${error.toExponential(2)}`);
        expect(error).toBeLessThan(1e-5);
        expect([forward, backward]).toEqual([1, 2]);
      }
    } finally {
      model.dispose();
    }
  });
});

const METHODS_WITHOUT_GRADIENTS = new Set<MethodName>(['eigencam']);

describe('test-time augmentation smoothing', () => {
  it.each([
    ['gradcam', undefined],
    ['layercam', ['conv2', 'last_conv']],
  ] as const)('%s (layers %s): the float64 reference on the model’s own augmented A and G', async (method, layers) => {
    const model = await loadModel(BUNDLED_MODEL);
    const explainer = new Explainer(model, { engine: gpu.engine, ...(layers ? { layer: layers } : {}) });
    try {
      const image = await sample();
      const smoothed = await explainer.explainMany(image, { methods: [method], augSmooth: true, size: 'input', overlay: false, target: 2 });
      expect(smoothed.passes).toEqual({ forward: 1, backward: 1, maskedForward: 0 });
      const explanation = smoothed.explanations[0]!;
      expect(explanation.augSmooth).toBe(true);
      // The same six copies through the same split, read back and fused in float64.
      const multi = explainer.multi;
      const x = tf.tidy(() => augmentInputs(toModelInput([image], multi.splits[0]!.inputShape, 'unit')));
      const { activations, logits } = multi.forward(x);
      const gradients = multi.gradients(activations, x, Array.from({ length: 6 }, () => [2]), 'logit');
      const tensors = await Promise.all(activations.map(async (a, l) => ({
        activations: { data: (await a.data()) as Float32Array, shape: a.shape },
        gradients: { data: (await gradients[l]!.data()) as Float32Array, shape: gradients[l]!.shape },
      })));
      tf.dispose([x, logits, ...activations, ...gradients]);
      const expected = referenceFused({ method, layers: tensors, augment: { flips: AUG_SMOOTH.flips }, size: explanation.heatmapSize });
      const error = relativeL2(explanation.items[0]!.heatmap, expected.heatmap);
      console.log(`aug smooth ${method} ${layers?.join('+') ?? 'last_conv'}: relative L2 ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-5);
      // Not normalised again (as pytorch-grad-cam): the mean stays in [0, 1].
      expect(Math.min(...explanation.items[0]!.heatmap)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...explanation.items[0]!.heatmap)).toBeLessThanOrEqual(1);
    } finally {
      explainer.dispose();
      model.dispose();
    }
  });

  it('is flip-equivariant: the mirrored image gives the mirrored map', async () => {
    const model = await loadModel(BUNDLED_MODEL);
    const explainer = new Explainer(model, { engine: gpu.engine });
    try {
      const image = await sample();
      const { width, height } = image;
      const mirrored = new Uint8Array(image.data.length);
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mirrored.set(image.data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4), (y * width + (width - 1 - x)) * 4);
      const request = { method: 'gradcam', augSmooth: true, overlay: false, target: 2 } as const;
      const a = (await explainer.explain(image, request)).items[0]!.heatmap;
      const b = (await explainer.explain({ data: mirrored, width, height }, request)).items[0]!.heatmap;
      const flippedBack = b.map((_, i) => b[Math.floor(i / width) * width + (width - 1 - (i % width))]!);
      const error = relativeL2(flippedBack, a);
      console.log(`aug smooth flip equivariance: relative L2 ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-4);
      const plain = (await explainer.explain(image, { ...request, augSmooth: false })).items[0]!.heatmap;
      expect(relativeL2(plain, a)).toBeGreaterThan(1e-3);
    } finally {
      explainer.dispose();
      model.dispose();
    }
  });
});

describe('bad layer lists are refused with typed errors', () => {
  it.each([
    ['an empty list', [], InvalidInputError],
    ['a layer listed twice', ['conv2', 'conv2'], InvalidInputError],
    ['a missing layer', ['conv2', 'conv9'], ModelError],
    ['a layer without a spatial map', ['conv2', 'logits'], ModelError],
  ] as const)('%s', async (_name, layers, type) => {
    const model = await loadModel(BUNDLED_MODEL);
    const explainer = new Explainer(model, { engine: gpu.engine, layer: layers });
    try {
      await expect(explainer.explain(await sample(), { method: 'gradcam' })).rejects.toThrow(type);
    } finally {
      explainer.dispose();
      model.dispose();
    }
  });

  it('a score method over several layers, fuse without layers, layer with layers, feature normalisation and eigen smoothing are refused', async () => {
    const model = await loadModel(BUNDLED_MODEL);
    try {
      const multi = new Explainer(model, { engine: gpu.engine, layer: ['conv2', 'last_conv'] });
      await expect(multi.explain(await sample(), { method: 'scorecam' })).rejects.toThrow(InvalidInputError);
      const single = new Explainer(model, { engine: gpu.engine });
      await expect(single.explain(await sample(), { method: 'gradcam', fuse: 'max' })).rejects.toThrow(InvalidInputError);
      const both = new Explainer(model, { engine: gpu.engine, layer: 'conv2', layers: ['last_conv'] });
      await expect(both.explain(await sample(), { method: 'gradcam' })).rejects.toThrow(InvalidInputError);
      await expect(multi.explain(await sample(), { method: 'gradcam', normalize: 'feature' })).rejects.toThrow(/normalize 'feature' does not apply/);
      await expect(multi.explain(await sample(), { method: 'gradcam', eigenSmooth: true })).rejects.toThrow(/eigenSmooth is not combined with several layers or augSmooth/);
      await expect(single.explain(await sample(), { method: 'layercam', augSmooth: true, eigenSmooth: true })).rejects.toThrow(/eigenSmooth is not combined with several layers or augSmooth/);
    } finally {
      model.dispose();
    }
  });
});
