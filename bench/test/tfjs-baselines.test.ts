// Baselines 1 and 3 on TF.js's CPU backend against the float64 references (no GPU needed;
// the GPU comparison with wgcam is in wgcam-agreement.test.ts).
import * as tf from '@tensorflow/tfjs';
import { colormapTable } from '@wgcam/core';
import { scorePlan } from '@wgcam/core';
import { channelSelection, referenceHeatmaps, relativeL2, scoreFamilyMasks, scoreRanges } from '@wgcam/core/reference';
import { beforeAll, describe, expect, it } from 'vitest';
import { GRADIENT_METHODS } from '../src/baselines/feature-shape.js';
import { constantChannels, scoreCamWeights, tfjsMasks } from '../src/baselines/tfjs-masks.js';
import { lutTensor, tfjsPostProcess, type TfMethodInputs } from '../src/baselines/tfjs-post.js';
import { seededUniform } from '../src/inputs/prng.js';
import { ACTIVATIONS, CLASSES, DENSE_KERNEL, GRADIENTS, IMAGES, SHAPE, SIZE, TARGETS } from './random-case.js';

const shape4: [number, number, number, number] = [SHAPE.batch, SHAPE.height, SHAPE.width, SHAPE.channels];

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('baseline 1: TF.js ops post-processing', () => {
  for (const method of [...GRADIENT_METHODS, 'cam' as const]) {
    it(`${method} equals the float64 reference`, async () => {
      const A = tf.tensor4d(ACTIVATIONS, shape4);
      const G = tf.tensor4d(GRADIENTS, shape4);
      const kernel = tf.tensor2d(DENSE_KERNEL, [SHAPE.channels, CLASSES]);
      const image = tf.tensor4d(Int32Array.from(IMAGES), [SHAPE.batch, SIZE.height, SIZE.width, 4], 'int32');
      const lut = lutTensor(colormapTable('jet'));
      const out = tf.tidy(() => {
        const inputs: TfMethodInputs = method === 'cam' ? { method, denseKernel: kernel, targets: tf.tensor1d(TARGETS, 'int32') } : { method, gradients: G };
        return tfjsPostProcess(A, inputs, SIZE, { image, lut255: lut, alpha: 0.5 });
      });
      const reference = referenceHeatmaps({
        method,
        activations: { data: ACTIVATIONS, shape: shape4 },
        ...(method === 'cam' ? { denseKernel: { data: DENSE_KERNEL, shape: [SHAPE.channels, CLASSES] }, targets: TARGETS } : { gradients: { data: GRADIENTS, shape: shape4 } }),
        size: SIZE,
      });
      expect(relativeL2(await out.heatmap.data(), reference.heatmap)).toBeLessThan(1e-5);
      expect(out.overlay.shape).toEqual([SHAPE.batch, SIZE.height, SIZE.width, 4]);
      tf.dispose([A, G, kernel, image, lut, out.heatmap, out.overlay]);
    });
  }
});

describe('baseline 3: TF.js ops Score-CAM masks', () => {
  const input = seededUniform(SHAPE.batch * SIZE.height * SIZE.width * 3, 9);
  const model = { ...SIZE, channels: 3 };

  it('equals the reference masks, including a constant channel', async () => {
    const activations = Float32Array.from(ACTIVATIONS);
    for (let i = 4; i < activations.length; i += SHAPE.channels) activations[i] = 0.5; // channel 4 constant
    const A = tf.tensor4d(activations, shape4);
    const X = tf.tensor4d(input, [SHAPE.batch, SIZE.height, SIZE.width, 3]);
    const dims = { ...SHAPE, targets: 1 };
    const plan = scorePlan('scorecam');
    const ranges = scoreRanges(activations, dims, plan, SIZE);
    const selection = channelSelection(activations, dims, plan);
    for (const [first, count] of [[0, 5], [11, 4], [SHAPE.batch * SHAPE.channels - 3, 3]] as const) {
      const masks = tf.tidy(() => tfjsMasks(A, X, first, count));
      const expected = scoreFamilyMasks(activations, ranges, selection, input, dims, model, plan, first, count);
      expect(relativeL2(await masks.data(), expected)).toBeLessThan(1e-5);
      masks.dispose();
    }
    const constant = await constantChannels(A, SIZE);
    expect(constant.filter(Boolean).length).toBe(SHAPE.batch);
    expect(constant[4]).toBe(true);
    tf.dispose([A, X]);
  });

  it('weights channels by the target probability, zero for constant channels', () => {
    const logits = new Float32Array([0, 0, 0, Math.log(3), 0, 0, 0, 0]); // 4 pairs × 2 classes
    const weights = scoreCamWeights(logits, 2, 2, [1, 0], [false, false, true, false]);
    expect(Array.from(weights)).toEqual([0.5, 0.75, 0, 0.5].map((x) => Math.fround(x)));
  });
});
