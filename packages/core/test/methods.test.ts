// Every method's final heatmap against the float64 reference, over the shape table.
import { describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../src/index.js';
import { referenceHeatmaps } from '../src/reference/index.js';
import { reductionLanes } from '../src/stages.js';
import { CASES, describeCase, makeInputs } from './cases.js';
import { expectClose, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();

it('the test shapes give the map kernels every reduction lane width', () => {
  expect([...new Set(CASES.map((c) => reductionLanes(c.channels)))].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64]);
});

describe.each(METHOD_NAMES)('%s heatmaps match the float64 reference', (method) => {
  it.each(CASES.map((c, i) => [describeCase(c), c, i] as const))('%s', async (_name, testCase, index) => {
    const options = makeInputs(method, testCase, 1000 + index);
    const expected = referenceHeatmaps(options);
    await withGpuErrorScopes(gpu.device, async () => {
      const result = gpu.engine.compute(options);
      const heatmap = await result.readHeatmap();
      result.release();
      expectClose(heatmap, expected.heatmap, 1e-5, `${method} ${describeCase(testCase)}`);
    });
  });
});

describe('signed activations and gradients follow the formulas', () => {
  it.each(METHOD_NAMES.filter((m) => m !== 'gradcam++'))('%s with activations in [-1, 1)', async (method) => {
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
