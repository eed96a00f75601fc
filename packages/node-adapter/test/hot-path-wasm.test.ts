// The hot path on the wasm backend (what a machine without a GPU runs): no queue waits
// unless profiling is asked, no readback of the logits before the backward pass (the top-1
// class is chosen on the backend), and the image reaches the engine's device once for all
// methods' overlays.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CamEngine } from '@wgcam/core';
import { Explainer } from '@wgcam/core/tfjs';
import { BUNDLED_MODEL, BUNDLED_SAMPLES } from '../src/explain/bundled.js';
import { createNodeDevice, loadModel, readImage, useTfjsWasm, type NodeDevice, type RgbaImage } from '../src/index.js';
import { watchHotPath } from './hot-path-counters.js';

let node: NodeDevice;
let engine: CamEngine;
let model: tf.LayersModel | tf.GraphModel;
let explainer: Explainer;
let image: RgbaImage;
const methods = ['gradcam', 'gradcam++', 'xgradcam'] as const;

beforeAll(async () => {
  await useTfjsWasm();
  node = await createNodeDevice();
  engine = new CamEngine(node.device);
  model = await loadModel(BUNDLED_MODEL);
  explainer = new Explainer(model, { engine });
  image = await readImage(join(BUNDLED_SAMPLES, 'two-objects-1.png'));
  await explainer.explainMany(image, { methods: [...methods] }); // builds the pipelines
}, 300_000);
afterAll(() => {
  explainer.dispose();
  model.dispose();
  engine.destroy();
  node.destroy();
});

describe('hot path, wasm backend', () => {
  it('waits for the queue 0 times per call without profile; with it 2, and 1 for the one submit of every method\'s maps', async () => {
    const log = watchHotPath(explainer, engine.device);
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

  it('reads no logits before the backward pass, and reads predictions once after it', async () => {
    const log = watchHotPath(explainer, engine.device);
    try {
      const many = await explainer.explainMany(image, { methods: ['gradcam'] });
      const backward = log.events.indexOf('backward');
      expect(backward).toBeGreaterThanOrEqual(0);
      const small = log.events.filter((e) => /^read \[\d+,\d+\]$/.test(e));
      expect(log.events.slice(0, backward).filter((e) => small.includes(e))).toEqual([]);
      expect(small).toHaveLength(1);
      const top = many.explanations[0]!.predictions[0]![0]!.classIndex;
      expect(many.explanations[0]!.items[0]!.classIndex).toBe(top);
    } finally {
      log.restore();
    }
  });

  it('uploads the image to the engine once for every method of a call', async () => {
    const log = watchHotPath(explainer, engine.device);
    try {
      await explainer.explainMany(image, { methods: [...methods] });
      expect(log.uploadsOf(image.width * image.height * 4)).toBe(1);
    } finally {
      log.restore();
    }
  });

  it('explains an explicit class without reading the logits before the backward pass either', async () => {
    const log = watchHotPath(explainer, engine.device);
    try {
      const one = await explainer.explain(image, { method: 'gradcam', target: 1 });
      expect(one.items[0]!.classIndex).toBe(1);
      const backward = log.events.indexOf('backward');
      expect(log.events.slice(0, backward).some((e) => /^read \[\d+,\d+\]$/.test(e))).toBe(false);
    } finally {
      log.restore();
    }
  });
});
