import { colormapTable } from '@wgcam/core';
import { colormapOverlay, referenceHeatmaps, relativeL2 } from '@wgcam/core/reference';
import { describe, expect, it } from 'vitest';
import { cpuPostProcess, type CpuMethodInputs } from '../src/baselines/cpu-post.js';
import { GRADIENT_METHODS } from '../src/baselines/feature-shape.js';
import { ACTIVATIONS, CLASSES, DENSE_KERNEL, GRADIENTS, IMAGES, SHAPE, SIZE, TARGETS } from './random-case.js';

const shape4 = [SHAPE.batch, SHAPE.height, SHAPE.width, SHAPE.channels];
const lut = colormapTable('jet');

describe('baseline 2: CPU post-processing', () => {
  for (const method of [...GRADIENT_METHODS, 'cam' as const]) {
    it(`${method} equals the float64 reference`, () => {
      const inputs: CpuMethodInputs =
        method === 'cam' ? { method, denseKernel: DENSE_KERNEL, classes: CLASSES, targets: TARGETS } : { method, gradients: GRADIENTS };
      const { heatmap, overlay } = cpuPostProcess(ACTIVATIONS, inputs, SHAPE, SIZE, { image: IMAGES, lut, alpha: 0.5 });
      const reference = referenceHeatmaps({
        method,
        activations: { data: ACTIVATIONS, shape: shape4 },
        ...(method === 'cam' ? { denseKernel: { data: DENSE_KERNEL, shape: [SHAPE.channels, CLASSES] }, targets: TARGETS } : { gradients: { data: GRADIENTS, shape: shape4 } }),
        size: SIZE,
      });
      expect(relativeL2(heatmap, reference.heatmap)).toBeLessThan(1e-6);
      // Same heat in, same bytes out: the overlay's own arithmetic matches the reference exactly.
      const expected = colormapOverlay(heatmap, lut, IMAGES, SHAPE.batch, 1, SIZE.height * SIZE.width, 0.5);
      expect(Array.from(overlay)).toEqual(Array.from(expected));
    });
  }

  it('turns a constant map into zeros, not NaN', () => {
    const zeros = new Float32Array(ACTIVATIONS.length);
    const { heatmap } = cpuPostProcess(zeros, { method: 'gradcam', gradients: GRADIENTS }, SHAPE, SIZE, { image: IMAGES, lut, alpha: 0.5 });
    expect(heatmap.every((v) => v === 0)).toBe(true);
  });
});
