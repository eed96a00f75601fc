// The bundled shapes model in both TF.js formats: same logits, same heatmaps, and the
// pointing game of Grad-CAM / Grad-CAM++ on held-out images as the float64 reference scores it.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, SHAPES_DATASET_SEEDS, toModelInput } from '@wgcam/shapes';
import { energyInside, methodsInAll, pointingGameHit } from '@wgcam/core';
import { referenceHeatmaps, relativeL2 } from '@wgcam/core/reference';
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


/** Several RGBA images as one NHWC float32 model input. */
function toModelInputs(images: readonly Uint8Array[]): Float32Array {
  const per = (images[0]!.length / 4) * 3;
  const out = new Float32Array(images.length * per);
  images.forEach((pixels, i) => toModelInput(pixels, out, i * per));
  return out;
}

describe('the bundled model', () => {
  // Score-CAM runs one masked forward per channel (128 here) per image on a software GPU: fewer images for it.
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

  // How well a method localises is the model's property (a label-only model is not trained to
  // point), so the pointing game is printed; what wgcam owns is that its figure is the one the
  // float64 reference of the same formulas gives on the same activations and gradients.
  it('Grad-CAM and Grad-CAM++ pointing game through the engine is the float64 reference\'s (figures printed)', { timeout: 300_000 }, async () => {
    const held = generateDataset(SHAPES_DATASET_SEEDS.heldOut, 100, { size });
    const heldOut = held.map((s) => ({ image: { data: s.pixels, width: s.size, height: s.size }, objects: s.masks.map((m) => ({ label: m.label, mask: m.mask })) }));
    const labels = held.map((s) => s.label);
    const x = tf.tensor4d(toModelInputs(held.map((s) => s.pixels)), [held.length, size, size, 3]);
    const { activations, logits } = layers.split.forward(x);
    const chosen = tf.oneHot(tf.tensor1d(labels, 'int32'), logits.shape[1]);
    const gradients = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(layers.split.head(a as tf.Tensor4D, x), chosen)))(activations) as tf.Tensor4D;
    const a = { data: await activations.data<'float32'>(), shape: activations.shape };
    const g = { data: await gradients.data<'float32'>(), shape: gradients.shape };
    tf.dispose([x, activations, logits, chosen, gradients]);

    const scores = await evaluateLocalization(layers, heldOut, ['gradcam', 'gradcam++']);
    for (const score of scores) {
      const reference = referenceHeatmaps({ method: score.method, activations: a, gradients: g, size: { height: size, width: size } }).heatmap;
      const pixels = size * size;
      let referenceHits = 0;
      let ambiguous = 0;
      let energy = 0;
      held.forEach((s, i) => {
        const heat = reference.subarray(i * pixels, (i + 1) * pixels);
        const mask = s.masks[0]!.mask;
        referenceHits += pointingGameHit(heat, mask);
        energy += energyInside(heat, mask) / held.length;
        // A peak float32 cannot place: the best value inside the mask and outside it within 1e-5.
        const best = (inside: boolean) => Math.max(0, ...Array.from(heat).filter((_, p) => (mask[p]! > 0) === inside));
        if (Math.abs(best(true) - best(false)) < 1e-5) ambiguous++;
      });
      const engineHits = Math.round(score.pointingGame * held.length);
      expect(Math.abs(engineHits - referenceHits), `${score.method}: engine hits ${engineHits}, reference ${referenceHits}, ambiguous peaks ${ambiguous}`).toBeLessThanOrEqual(ambiguous);
      expect(Math.abs(score.energyPointingGame - energy), `${score.method}: energy pointing game`).toBeLessThan(1e-5);
      console.log(`bundled model, ${score.method}: pointing game ${score.pointingGame.toFixed(2)} (float64 reference ${(referenceHits / held.length).toFixed(2)}), energy pointing game ${score.energyPointingGame.toFixed(3)} on ${held.length} held-out images`);
    }
  });
});
