// The bundled shapes model in both TF.js formats: same logits, same heatmaps, and
// Grad-CAM / Grad-CAM++ localise the object (pointing game) on held-out images.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, SHAPES_DATASET_SEEDS } from '@wgcam/shapes';
import { methodsInAll } from '@wgcam/core';
import { relativeL2 } from '@wgcam/core/reference';
import { evaluateLocalization, Explainer, fixedInputShape } from '@wgcam/core/tfjs';
import { BUNDLED_MODEL } from '../src/explain/bundled.js';
import { loadModel, useTfjsWebGpu } from '../src/index.js';

// The methods 'all' runs: SS-CAM and IS-CAM (numSamples·C passes) are checked on the tiny CNN instead.
const METHOD_NAMES = methodsInAll();

const graphPath = join(BUNDLED_MODEL, '..', '..', 'shapes-cnn-graph', 'model.json');
let layers: Explainer;
let graph: Explainer;
let size = 0;

beforeAll(async () => {
  await useTfjsWebGpu();
  const layersModel = await loadModel(BUNDLED_MODEL);
  const graphModel = await loadModel(graphPath);
  expect(layersModel).toBeInstanceOf(tf.LayersModel);
  expect(graphModel).toBeInstanceOf(tf.GraphModel);
  layers = new Explainer(layersModel);
  size = fixedInputShape(layers.split)[0];
  // The exporter names each layer's output node '<layer>/<Op>'.
  graph = new Explainer(graphModel, { layer: `${layers.split.layer}/Relu` });
});


describe('the bundled model', () => {
  // Score-CAM runs 64 masked forwards per image on a software GPU: fewer images for it.
  const samples = (count = 8) => generateDataset(SHAPES_DATASET_SEEDS.heldOut, count, { size }).map((s) => ({ data: s.pixels, width: s.size, height: s.size }));

  it('gives the same logits as a LayersModel and as a GraphModel', async () => {
    const input = tf.tidy(() => tf.randomUniform([4, size, size, 3], 0, 1, 'float32', 5) as tf.Tensor4D);
    const a = layers.split.logits(input);
    const b = graph.split.logits(input);
    expect(relativeL2(await b.data(), await a.data())).toBeLessThan(1e-5);
    tf.dispose([input, a, b]);
  });

  it.each(METHOD_NAMES)('%s heatmaps agree between the two formats', { timeout: 300_000 }, async (method) => {
    const images = samples(method === 'scorecam' ? 3 : 8);
    const fromLayers = await layers.explain(images, { method, target: 'top1', overlay: false });
    const fromGraph = await graph.explain(images, { method, target: 'top1', overlay: false });
    fromLayers.items.forEach((item, i) => {
      expect(fromGraph.items[i]!.classIndex).toBe(item.classIndex);
      expect(relativeL2(fromGraph.items[i]!.heatmap, item.heatmap)).toBeLessThan(1e-4);
    });
  });

  it('Grad-CAM and Grad-CAM++ point inside the object on ≥ 90% of held-out single-object images', { timeout: 300_000 }, async () => {
    const heldOut = generateDataset(SHAPES_DATASET_SEEDS.heldOut, 100, { size }).map((s) => ({
      image: { data: s.pixels, width: s.size, height: s.size },
      objects: s.masks.map((m) => ({ label: m.label, mask: m.mask })),
    }));
    const scores = await evaluateLocalization(layers, heldOut, ['gradcam', 'gradcam++']);
    for (const score of scores) expect(score.pointingGame, score.method).toBeGreaterThanOrEqual(0.9);
  });
});
