// Every method's final heatmap against the float64 reference, over the shape table.
import { afterAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../src/index.js';
import { referenceHeatmaps, relativeL2 } from '../src/reference/index.js';
import { reductionLanesFor } from '../src/gpu/lane-tuning.js';
import { CASES, describeCase, makeInputs } from './cases.js';
import { expectClose, useGpu, withGpuErrorScopes } from './gpu-fixture.js';
import { gradcamppConditioning, predictedGradcamppError } from './gradcampp-conditioning.js';

const gpu = useGpu();

// The worst relative L2 error of each method's heatmaps over the shape table, printed at the end.
const worst = new Map<string, number>();
function record(method: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  worst.set(method, Math.max(worst.get(method) ?? 0, relativeL2(actual, expected)));
}
afterAll(() => {
  if (worst.size > 0) console.log(`worst heatmap relative L2 vs float64 over the shape table:\n${[...worst].map(([m, e]) => `  ${m.padEnd(20)} ${e.toExponential(2)}`).join('\n')}`);
});

it('the test shapes give the map kernels both one lane and a full group of 4 (subgroup size 4 or the workgroup-memory path)', () => {
  const tuning = { workgroupSize: 256, subgroups: false, maxLanes: 4, minWorkgroupSize: 1 };
  expect([...new Set(CASES.map((c) => reductionLanesFor(c.channels, tuning)))].sort((a, b) => a - b)).toEqual([1, 4]);
});

describe.each(METHOD_NAMES)('%s heatmaps match the float64 reference', (method) => {
  it.each(CASES.map((c, i) => [describeCase(c), c, i] as const))('%s', async (_name, testCase, index) => {
    const options = makeInputs(method, testCase, 1000 + index);
    const expected = referenceHeatmaps(options);
    await withGpuErrorScopes(gpu.device, async () => {
      const result = gpu.engine.compute(options);
      const heatmap = await result.readHeatmap();
      result.release();
      record(method, heatmap, expected.heatmap);
      expectClose(heatmap, expected.heatmap, 1e-5, `${method} ${describeCase(testCase)}`);
    });
  });
});

describe('signed activations and gradients follow the formulas', () => {
  it.each(METHOD_NAMES)('%s with activations in [-1, 1)', async (method) => {
    const testCase = CASES[7]!;
    const options = makeInputs(method, testCase, 77, true);
    const expected = referenceHeatmaps(options);
    await withGpuErrorScopes(gpu.device, async () => {
      const result = gpu.engine.compute(options);
      expectClose(await result.readHeatmap(), expected.heatmap, 1e-5, method);
      result.release();
    });
  });
});

// Grad-CAM++'s term G/(2 + S·G + 1e-6/G²) has a pole where S = Σ_s A < 0 and cancels near
// it. Each case is classed by the float64 reference's own condition numbers (test/
// gradcampp-conditioning.ts): where the predicted float32 error is ≤ 1e-6 the map must hold
// 1e-5 like every method; elsewhere it must hold the documented bound 1e-5 + prediction.
describe('Grad-CAM++ with signed activations, by the reference\'s condition number', () => {
  const bounds: string[] = [];
  afterAll(() => {
    if (bounds.length > 0) console.log(`gradcam++ signed activations (error vs float64, κ_S, κ_w, predicted, class):\n${bounds.join('\n')}`);
  });

  async function check(options: ReturnType<typeof makeInputs>, testCase: (typeof CASES)[number], what: string): Promise<'well' | 'ill'> {
    const dims = { batch: testCase.batch, targets: testCase.targets, height: testCase.height, width: testCase.width, channels: testCase.channels };
    const k = gradcamppConditioning(options.activations.data as Float32Array, options.gradients!.data as Float32Array, dims);
    const predicted = predictedGradcamppError(k, testCase.height * testCase.width);
    const well = predicted <= 1e-6;
    const expected = referenceHeatmaps(options);
    await withGpuErrorScopes(gpu.device, async () => {
      const result = gpu.engine.compute(options);
      const heatmap = await result.readHeatmap();
      result.release();
      const error = relativeL2(heatmap, expected.heatmap);
      bounds.push(`  ${what.padEnd(44)} ${error.toExponential(2)}  κ_S ${k.sumCondition.toExponential(1)}  κ_w ${k.weightCondition.toExponential(1)}  ${predicted.toExponential(1)}  ${well ? 'well' : 'ill'}`);
      expectClose(heatmap, expected.heatmap, well ? 1e-5 : 1e-5 + predicted, `gradcam++ signed ${what}`);
    });
    return well ? 'well' : 'ill';
  }

  it.each(CASES.map((c, i) => [describeCase(c), c, i] as const))('%s', async (name, testCase, index) => {
    await check(makeInputs('gradcam++', testCase, 3000 + index, true), testCase, name);
  });

  it('a gradient placed on the pole (d = 2 + S·G ≈ 0 to float32 rounding) is classed ill-conditioned and holds its bound', async () => {
    const testCase = CASES[7]!;
    const options = makeInputs('gradcam++', testCase, 3100, true);
    // makeInputs gives host arrays (TensorData also admits GPU buffers).
    const A = options.activations.data as Float32Array;
    const G = new Float32Array(options.gradients!.data as Float32Array);
    const S = testCase.height * testCase.width;
    const C = testCase.channels;
    // The channel of image 0 with the most negative S; put G at (target 0, position 0) on the
    // root of 2 + S·g + 1e-6/g² = 0 (Newton in float64), then round it to float32.
    let channel = 0;
    let lowest = Infinity;
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let s = 0; s < S; s++) sum += A[s * C + c]!;
      if (sum < lowest) [lowest, channel] = [sum, c];
    }
    let g = -2 / lowest;
    for (let i = 0; i < 20; i++) g -= (2 + lowest * g + 1e-6 / (g * g)) / (lowest - 2e-6 / (g * g * g));
    G[channel] = g;
    const poled = { ...options, gradients: { data: G, shape: options.gradients!.shape } };
    const dims = { batch: testCase.batch, targets: testCase.targets, height: testCase.height, width: testCase.width, channels: C };
    expect(gradcamppConditioning(A, G, dims).closestToPole).toBeLessThan(1e-6);
    expect(await check(poled, testCase, `${describeCase(testCase)} on the pole`)).toBe('ill');
  });
});
