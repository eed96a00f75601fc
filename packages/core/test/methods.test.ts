// Every method's final heatmap against the float64 reference, over the shape table.
import { afterAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../src/index.js';
import { referenceHeatmaps, relativeL2 } from '../src/reference/index.js';
import { reductionLanes } from '../src/stages.js';
import { CASES, describeCase, makeInputs } from './cases.js';
import { expectClose, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();

// The worst relative L2 error of each method's heatmaps over the shape table, printed at the end.
const worst = new Map<string, number>();
function record(method: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  worst.set(method, Math.max(worst.get(method) ?? 0, relativeL2(actual, expected)));
}
afterAll(() => {
  if (worst.size > 0) console.log(`worst heatmap relative L2 vs float64 over the shape table:\n${[...worst].map(([m, e]) => `  ${m.padEnd(20)} ${e.toExponential(2)}`).join('\n')}`);
});

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
      record(method, heatmap, expected.heatmap);
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
