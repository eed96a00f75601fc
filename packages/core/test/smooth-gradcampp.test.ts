// Smooth Grad-CAM++ beyond the shared method tests (methods.test.ts, edge-cases.test.ts):
// one sample is Grad-CAM++, signed activations over the whole shape table, sample counts,
// non-finite values in a later sample, and shapes that do not hold whole samples.
import { afterAll, describe, expect, it } from 'vitest';
import { NonFiniteInputError, ShapeError, type ComputeOptions } from '../src/index.js';
import { gradcamppWeights, referenceHeatmaps, relativeL2 } from '../src/reference/index.js';
import { smoothGradcamppWeights } from '../src/reference/smooth-grad.js';
import { CASES, describeCase, makeInputs, type TestCase } from './cases.js';
import { expectClose, makeRng, randomFloats, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();

async function heatmapOf(options: ComputeOptions): Promise<Float32Array> {
  return withGpuErrorScopes(gpu.device, async () => {
    const result = gpu.engine.compute(options);
    try {
      return await result.readHeatmap();
    } finally {
      result.release();
    }
  });
}

/** Inputs with `samples` noisy gradients, activations in [0, 1) or [−1, 1). */
function inputs(c: TestCase, samples: number, seed: number, signed: boolean): ComputeOptions {
  const rng = makeRng(seed);
  const features = c.batch * c.height * c.width * c.channels;
  const lead = samples * c.batch;
  return {
    method: 'smoothgradcampp',
    activations: { data: randomFloats(rng, features, signed ? -1 : 0, 1), shape: [c.batch, c.height, c.width, c.channels] },
    gradients: {
      data: randomFloats(rng, features * c.targets * samples, -1, 1),
      shape: c.targets === 1 ? [lead, c.height, c.width, c.channels] : [lead, c.targets, c.height, c.width, c.channels],
    },
    ...(c.size ? { size: c.size } : {}),
  };
}

const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) console.log(`smoothgradcampp heatmap relative L2 vs float64:\n${figures.join('\n')}`);
});

describe('one sample is Grad-CAM++', () => {
  it.each(CASES.slice(0, 8).map((c, i) => [describeCase(c), c, i] as const))('%s', async (name, c, i) => {
    const options = inputs(c, 1, 4000 + i, false);
    const dims = { batch: c.batch, height: c.height, width: c.width, channels: c.channels, targets: c.targets };
    const A = options.activations.data as Float32Array;
    const G = options.gradients!.data as Float32Array;
    // The float64 formulas agree (to rounding) ...
    expect(relativeL2(smoothGradcamppWeights(A, G, dims, 1), gradcamppWeights(A, G, dims))).toBeLessThan(1e-12);
    // ... and the GPU's Smooth Grad-CAM++ map is Grad-CAM++'s reference map.
    const expected = referenceHeatmaps({ ...options, method: 'gradcam++' });
    expectClose(await heatmapOf(options), expected.heatmap, 1e-5, `smoothgradcampp N=1 vs gradcam++ ${name}`);
  });
});

describe('sample counts and signed activations against float64', () => {
  it.each([2, 3, 7, 16])('%i samples, 7×7×512, B=4, K=3', async (samples) => {
    const c = CASES[4]!;
    const options = inputs(c, samples, 4100 + samples, false);
    const expected = referenceHeatmaps(options);
    const heatmap = await heatmapOf(options);
    figures.push(`  ${samples} samples ${describeCase(c).padEnd(36)} ${relativeL2(heatmap, expected.heatmap).toExponential(2)}`);
    expectClose(heatmap, expected.heatmap, 1e-5, `smoothgradcampp ${samples} samples`);
  });

  it.each(CASES.map((c, i) => [describeCase(c), c, i] as const))('activations in [−1, 1), 4 samples, %s', async (name, c, i) => {
    const options = inputs(c, 4, 4200 + i, true);
    const expected = referenceHeatmaps(options);
    const heatmap = await heatmapOf(options);
    figures.push(`  signed 4 samples ${name.padEnd(36)} ${relativeL2(heatmap, expected.heatmap).toExponential(2)}`);
    expectClose(heatmap, expected.heatmap, 1e-5, `smoothgradcampp signed ${name}`);
  });
});

describe('bad input', () => {
  const small = CASES[5]!; // 5×9×64, B=4

  it('a NaN in the last sample\'s gradients is refused, naming the gradients', async () => {
    const options = makeInputs('smoothgradcampp', small, 4300);
    const data = new Float32Array(options.gradients!.data as Float32Array);
    data[data.length - 11] = Number.NaN;
    const error = await heatmapOf({ ...options, gradients: { ...options.gradients!, data } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteInputError);
    expect((error as NonFiniteInputError).sources).toContain('gradients');
  });

  it('gradients that are not a whole number of samples of the batch are refused', () => {
    const options = makeInputs('smoothgradcampp', small, 4301);
    const shape = [small.batch * 4 + 1, small.height, small.width, small.channels];
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    expect(() => gpu.engine.compute({ ...options, gradients: { data, shape } })).toThrow(ShapeError);
    expect(() => gpu.engine.compute({ ...options, gradients: { data, shape } })).toThrow(/N·B/);
  });

  it('gradients of another layer size are refused', () => {
    const options = makeInputs('smoothgradcampp', small, 4302);
    const shape = [small.batch * 4, small.height + 1, small.width, small.channels];
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    expect(() => gpu.engine.compute({ ...options, gradients: { data, shape } })).toThrow(ShapeError);
  });
});
