// The TF.js path on the cpu backend: no GPUDevice to share, so the engine runs on its own
// Dawn device and each activation / gradient tensor is uploaded once. Heatmaps must equal
// the lower API's on the same values, and nothing may leak.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, METHOD_NAMES, METHODS, scorePasses, scorePlan } from '@wgcam/core';
import { relativeL2 } from '@wgcam/core/reference';
import { bridgeCounters, Explainer } from '@wgcam/core/tfjs';
import { useCpuBackendEngine } from './cpu-engine.js';
import { lowerApiHeatmapOf } from './lower-api.js';
import { seededImage, tinyCnn } from './tiny-model.js';

const gpu = useCpuBackendEngine();
let model: tf.LayersModel;
let explainer: Explainer;
const image = seededImage(5);

beforeAll(() => {
  model = tinyCnn(9);
  explainer = new Explainer(model, { engine: gpu.engine });
});
afterAll(() => explainer.dispose());

describe('explain() on the cpu backend with an engine of its own', () => {
  it.each(METHOD_NAMES)('%s equals the lower API and uploads its inputs once', async (method) => {
    expect(tf.getBackend()).toBe('cpu');
    const before = { ...bridgeCounters };
    const result = await explainer.explain(image, { method, target: 1, scoreCam: { batchSize: 5 } });
    // A, and G (the dense kernel for CAM; nothing more for Eigen-CAM; for the score-based
    // methods the model input, the logits when the method reads a baseline, then each chunk's
    // scores: their passes over 12 channels in chunks of 5): uploads of the values, never a
    // zero-copy bridge.
    const plan = METHODS[method].needs === 'scores' ? scorePlan(method) : null;
    const scoreUploads = plan ? 2 + (plan.needsBaseline ? 1 : 0) + Math.ceil(scorePasses(plan, 1, 12) / 5) : 0;
    const uploads = { activations: 1, gradients: 2, 'dense-kernel': 2, scores: scoreUploads }[METHODS[method].needs];
    expect(bridgeCounters.readBack - before.readBack).toBe(uploads);
    expect(bridgeCounters.zeroCopy).toBe(before.zeroCopy);
    const expected = await lowerApiHeatmapOf(explainer, image, method, 1);
    expect(relativeL2(result.items[0]!.heatmap, expected)).toBeLessThan(1e-5);
    expect(result.items[0]!.heatmap.some((v) => v > 0)).toBe(true);
  });

  it('leaks no tensors or engine buffers over 50 explanations', async () => {
    await explainer.explain(image, { method: 'gradcam++' });
    const tensors = tf.memory().numTensors;
    const created = gpu.engine.poolStats().created;
    for (let i = 0; i < 50; i++) await explainer.explain(image, { method: i % 2 ? 'gradcam++' : 'layercam' });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(gpu.engine.poolStats().created).toBe(created);
  });

  it('without an engine, says how to get one', async () => {
    const bare = new Explainer(model);
    const tensors = tf.memory().numTensors;
    await expect(bare.explain(image, { method: 'gradcam' })).rejects.toThrow(InvalidInputError);
    await expect(bare.explain(image, { method: 'gradcam' })).rejects.toThrow(/pass \{ engine: new CamEngine\(device\) \}/);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
