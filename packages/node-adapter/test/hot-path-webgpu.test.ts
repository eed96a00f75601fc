// The hot path on the webgpu backend (the engine on TF.js's own device): no queue waits
// unless profiling is asked, no readback of the logits before the backward pass, and the
// image reaches the GPU once, as the overlay's RGBA8 buffer that TF.js unpacks for the
// model; the maps equal those of a model input made on the CPU side.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeL2 } from '@wgcam/core/reference';
import { Explainer } from '@wgcam/core/tfjs';
import { useTfjsWebGpu } from '../src/index.js';
import { watchHotPath } from './hot-path-counters.js';
import { seededImage, tinyCnn } from './tiny-model.js';

let model: tf.LayersModel;
let explainer: Explainer;
const image = seededImage(5);
const methods = ['gradcam', 'gradcam++'] as const;

beforeAll(async () => {
  await useTfjsWebGpu();
  model = tinyCnn();
  explainer = new Explainer(model);
  await explainer.explainMany(image, { methods: [...methods] }); // builds the pipelines
});

describe('hot path, webgpu backend', () => {
  it('waits for the queue 0 times per call without profile; with it 2, and 1 for the one submit of every method\'s maps', async () => {
    const log = watchHotPath(explainer, explainer.engine.device);
    try {
      await explainer.explainMany(image, { methods: [...methods] });
      expect(log.waits()).toBe(0);
      await explainer.explainMany(image, { methods: [...methods], profile: true });
      // Preprocessing, model, and the methods' shared submit (methods with masked passes would add one each).
      expect(log.waits()).toBe(3);
    } finally {
      log.restore();
    }
  });

  it('reads nothing before the backward pass; one tensor readback (probabilities and classes) after it', async () => {
    const log = watchHotPath(explainer, explainer.engine.device);
    try {
      await explainer.explainMany(image, { methods: [...methods] });
      const backward = log.events.indexOf('backward');
      expect(backward).toBeGreaterThanOrEqual(0);
      expect(log.events.slice(0, backward).filter((e) => e.startsWith('read'))).toEqual([]);
      expect(log.events.filter((e) => e.startsWith('read'))).toHaveLength(1);
    } finally {
      log.restore();
    }
  });

  it('uploads the image once (its RGBA8 bytes), for the model and every overlay', async () => {
    const log = watchHotPath(explainer, explainer.engine.device);
    const pixels = image.width * image.height;
    try {
      const many = await explainer.explainMany(image, { methods: [...methods] });
      expect(log.uploadsOf(pixels * 4)).toBe(1);
      // TF.js would have staged the pixels as an int32 [H, W, 4] tensor (16 bytes a pixel).
      expect(log.stagedAtLeast(pixels * 16)).toBe(0);
      expect(many.explanations[1]!.items[0]!.overlay!.length).toBe(pixels * 4);
    } finally {
      log.restore();
    }
  });

  it('gives the maps and overlays of a model input made from a pixel tensor (the CPU-side path)', async () => {
    const shared = await explainer.explainMany(image, { methods: [...methods], target: 3 });
    const pixels = tf.tensor3d(Uint8Array.from(image.data), [image.height, image.width, 4], 'int32');
    try {
      const log = watchHotPath(explainer, explainer.engine.device);
      const viaTensor = await explainer.explainMany(pixels, { methods: [...methods], target: 3 }).finally(() => log.restore());
      // The CPU-side path: TF.js stages the int32 pixels, then the overlay is uploaded (the spies see both).
      expect(log.stagedAtLeast(image.width * image.height * 16)).toBe(1);
      expect(log.uploadsOf(image.width * image.height * 4)).toBe(1);
      shared.explanations.forEach((e, m) => {
        expect(relativeL2(e.items[0]!.heatmap, viaTensor.explanations[m]!.items[0]!.heatmap)).toBeLessThan(1e-6);
        expect(Buffer.from(e.items[0]!.overlay!).equals(Buffer.from(viaTensor.explanations[m]!.items[0]!.overlay!))).toBe(true);
      });
    } finally {
      pixels.dispose();
    }
  });

  it('leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    await explainer.explainMany(image, { methods: [...methods] });
    expect(tf.memory().numTensors).toBe(before);
  });
});
