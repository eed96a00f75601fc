// Several methods from one model pass: explainMany gives exactly the heatmaps of separate
// explain() calls, runs one forward pass and one backward pass per target (counted on the
// split), and leaks nothing. On wasm, the path a machine without a GPU takes.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CamEngine, InvalidInputError, METHODS, methodsInAll, scorePasses, scorePlan, type MethodName } from '@wgcam/core';
import { Explainer, type ManyExplanations } from '@wgcam/core/tfjs';
import { BUNDLED_MODEL, BUNDLED_SAMPLES } from '../src/explain/bundled.js';
import { createNodeDevice, loadModel, readImage, useTfjsWasm, type NodeDevice, type RgbaImage } from '../src/index.js';

let node: NodeDevice;
let engine: CamEngine;
let model: tf.LayersModel | tf.GraphModel;
let explainer: Explainer;
let image: RgbaImage;
const scoreCam = { batchSize: 24 };
const twoTargets = { target: { topK: 2 }, scoreCam } as const;
let many: ManyExplanations;
// The methods 'all' runs: SS-CAM and IS-CAM (numSamples·C passes) are checked on the tiny CNN instead.
const METHOD_NAMES = methodsInAll();
/** Model calls of the score-based methods among `methods`: chunks of masked inputs (whole model) and of ablated activations (head). */
function scoreChunks(methods: readonly MethodName[], channels: number): { masked: number; ablated: number } {
  const chunks = { masked: 0, ablated: 0 };
  for (const m of methods.filter((name) => METHODS[name].needs === 'scores')) {
    // A Faster Score-CAM after a Score-CAM of the same call takes that Score-CAM's logits of its channels: no model call of its own.
    if (m === 'fasterscorecam' && methods.includes('scorecam') && methods.indexOf('scorecam') < methods.indexOf(m)) continue;
    const plan = scorePlan(m);
    chunks[plan.feeds === 'input' ? 'masked' : 'ablated'] += Math.ceil(scorePasses(plan, 1, channels) / scoreCam.batchSize);
  }
  return chunks;
}

// The first explainMany builds every kernel's pipeline (slow on a software GPU under load).
beforeAll(async () => {
  await useTfjsWasm();
  node = await createNodeDevice();
  engine = new CamEngine(node.device);
  model = await loadModel(BUNDLED_MODEL);
  explainer = new Explainer(model, { engine });
  image = await readImage(join(BUNDLED_SAMPLES, 'two-objects-1.png'));
  many = await explainer.explainMany(image, { ...twoTargets, methods: METHOD_NAMES });
}, 300_000);
afterAll(() => {
  explainer.dispose();
  model.dispose();
  engine.destroy();
  node.destroy();
});

function countPasses(): { forward: () => number; head: () => number; masked: () => number; restore: () => void } {
  const split = explainer.split;
  const forward = vi.spyOn(split, 'forward');
  const head = vi.spyOn(split, 'head');
  const logits = vi.spyOn(split, 'logits');
  return {
    forward: () => forward.mock.calls.length,
    head: () => head.mock.calls.length,
    masked: () => logits.mock.calls.length,
    restore: () => [forward, head, logits].forEach((spy) => spy.mockRestore()),
  };
}

describe('explainMany', () => {
  it('returns one explanation per method, in request order', () => {
    expect(many.explanations.map((e) => e.method)).toEqual([...METHOD_NAMES]);
  });

  it.each(METHOD_NAMES)('%s: exactly the heatmaps and overlays of a single-method call, for two targets', async (method) => {
    const single = await explainer.explain(image, { ...twoTargets, method });
    const shared = many.explanations.find((e) => e.method === method)!;
    expect(shared.items).toHaveLength(2);
    shared.items.forEach((item, k) => {
      expect(item.classIndex).toBe(single.items[k]!.classIndex);
      expect(item.heatmap, `${method} target ${k}`).toEqual(single.items[k]!.heatmap);
      expect(item.overlay).toEqual(single.items[k]!.overlay);
    });
    expect(shared.predictions).toEqual(single.predictions);
  });

  it('runs one forward pass and one backward pass per target for every method together', async () => {
    const channels = tf.tidy(() => explainer.split.forward(tf.zeros([1, 32, 32, 3])).activations.shape[3]);
    const passes = countPasses();
    try {
      const many = await explainer.explainMany(image, { methods: METHOD_NAMES, target: { topK: 2 }, scoreCam });
      const chunks = scoreChunks(METHOD_NAMES, channels);
      expect(passes.forward()).toBe(1);
      // One backward pass per target, and Ablation-CAM's head passes.
      expect(passes.head()).toBe(2 + chunks.ablated);
      expect(passes.masked()).toBe(chunks.masked);
      expect(many.passes).toEqual({ forward: 1, backward: 2, maskedForward: chunks.masked + chunks.ablated });
    } finally {
      passes.restore();
    }
  });

  it('where separate calls run a forward per method and a backward per gradient method and target', async () => {
    // Read before the spies count passes.
    const channels = tf.tidy(() => explainer.split.forward(tf.zeros([1, 32, 32, 3])).activations.shape[3]);
    const passes = countPasses();
    try {
      for (const method of METHOD_NAMES) await explainer.explain(image, { method, target: { topK: 2 }, scoreCam });
      // The gradient methods this loop ran (those of 'all': Smooth Grad-CAM++ needs gradients but is not in it).
      const gradientMethods = METHOD_NAMES.filter((m) => METHODS[m].needs === 'gradients').length;
      expect(passes.forward()).toBe(METHOD_NAMES.length);
      expect(passes.head()).toBe(2 * gradientMethods + scoreChunks(METHOD_NAMES, channels).ablated);
    } finally {
      passes.restore();
    }
  });

  it.each(['probability', 'channel-softmax', 'baseline'] as const)(
    "Faster Score-CAM after Score-CAM ('%s' variant) takes Score-CAM's logits: the heatmaps of a call of its own, Score-CAM's model calls alone",
    async (variant) => {
      const options = { target: { topK: 2 }, scoreCam: { batchSize: 24, variant } } as const;
      const alone = await explainer.explain(image, { ...options, method: 'fasterscorecam' });
      const channels = tf.tidy(() => explainer.split.forward(tf.zeros([1, 32, 32, 3])).activations.shape[3]);
      const passes = countPasses();
      const tensors = tf.memory().numTensors;
      try {
        const both = await explainer.explainMany(image, { ...options, methods: ['scorecam', 'fasterscorecam'] });
        // The kept logits are disposed with the call.
        expect(tf.memory().numTensors).toBe(tensors);
        expect(passes.masked()).toBe(Math.ceil(channels / 24));
        expect(both.passes.maskedForward).toBe(Math.ceil(channels / 24));
        both.explanations[1]!.items.forEach((item, k) => {
          expect(item.classIndex).toBe(alone.items[k]!.classIndex);
          expect(item.heatmap, `target ${k}`).toEqual(alone.items[k]!.heatmap);
          expect(item.overlay).toEqual(alone.items[k]!.overlay);
        });
      } finally {
        passes.restore();
      }
    },
  );

  it('Faster Score-CAM before Score-CAM runs its own masked passes, with the same heatmaps', async () => {
    const channels = tf.tidy(() => explainer.split.forward(tf.zeros([1, 32, 32, 3])).activations.shape[3]);
    const alone = await explainer.explain(image, { scoreCam, method: 'fasterscorecam' });
    const passes = countPasses();
    try {
      const both = await explainer.explainMany(image, { scoreCam, methods: ['fasterscorecam', 'scorecam'] });
      expect(passes.masked()).toBe(1 + Math.ceil(channels / scoreCam.batchSize));
      expect(both.explanations[0]!.items[0]!.heatmap).toEqual(alone.items[0]!.heatmap);
    } finally {
      passes.restore();
    }
  });

  it('skips the backward pass when no method needs gradients', async () => {
    const many = await explainer.explainMany(image, { methods: ['cam', 'scorecam', 'eigencam'], scoreCam });
    expect(many.passes.backward).toBe(0);
  });

  it('runs no backward pass for Eigen-CAM and gives every target its image map', async () => {
    const passes = countPasses();
    try {
      const { items } = await explainer.explain(image, { method: 'eigencam', target: { topK: 2 } });
      expect(passes.head()).toBe(0);
      expect(items.map((i) => i.classIndex)).toHaveLength(2);
      expect(items[1]!.heatmap).toEqual(items[0]!.heatmap);
    } finally {
      passes.restore();
    }
  });

  it('leaks no tensors or engine buffers over repeated calls', async () => {
    const run = () => explainer.explainMany(image, { methods: ['gradcam', 'gradcam++', 'cam', 'layercam'] });
    await run();
    const tensors = tf.memory().numTensors;
    const created = engine.poolStats().created;
    for (let i = 0; i < 10; i++) await run();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(engine.poolStats().created).toBe(created);
    expect(engine.poolStats().inUse).toBe(0);
  });

  it('refuses an empty, unknown or repeated method list with an InvalidInputError', async () => {
    const tensors = tf.memory().numTensors;
    await expect(explainer.explainMany(image, { methods: [] })).rejects.toThrow(InvalidInputError);
    await expect(explainer.explainMany(image, { methods: ['gradcam', 'nope' as never] })).rejects.toThrow(/unknown method 'nope'/);
    await expect(explainer.explainMany(image, { methods: ['gradcam', 'gradcam'] })).rejects.toThrow(/twice/);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
