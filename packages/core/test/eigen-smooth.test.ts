// Eigen smoothing (eigenSmooth: true) against the float64 reference: every method that takes
// it over the shape table, on inputs inside Eigen-CAM's contract (a dominant principal
// component, λ₂/λ₁ checked ≤ 0.95), plus zero, constant and non-finite inputs and refusals.
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError, METHOD_NAMES, METHODS, NonFiniteInputError, type ComputeOptions, type MethodName } from '../src/index.js';
import { eigenProjections, referenceHeatmaps, relativeL2 } from '../src/reference/index.js';
import { summedTerms } from '../src/reference/eigen-smooth.js';
import { CASES, channelGradients, describeCase, makeInputs, plantedActivations, type TestCase } from './cases.js';
import { expectClose, makeRng, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();

/** Eigen-CAM's documented contract (eigen.test.ts): the component is exact to 1e-4 when λ₂/λ₁ ≤ this. */
const GAP_CONTRACT = 0.95;

const SMOOTHABLE = METHOD_NAMES.filter((m) => METHODS[m].options.some((o) => o.name === 'eigenSmooth'));

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

/** Planted activations and per-channel gradients (N samples of them for Smooth Grad-CAM++), eigenSmooth on. */
function plantedInputs(method: MethodName, c: TestCase, seed: number): ComputeOptions {
  const rng = makeRng(seed);
  const samples = METHODS[method].noisySamples?.numSamples ?? 1;
  const activations = plantedActivations(rng, c, false);
  const gradients = new Float32Array(samples * c.batch * c.targets * c.height * c.width * c.channels);
  for (let n = 0; n < samples; n++) gradients.set(channelGradients(rng, c), (n * gradients.length) / samples);
  const lead = samples * c.batch;
  return {
    method,
    activations: { data: activations, shape: [c.batch, c.height, c.width, c.channels] },
    gradients: { data: gradients, shape: c.targets === 1 ? [lead, c.height, c.width, c.channels] : [lead, c.targets, c.height, c.width, c.channels] },
    eigenSmooth: true,
    ...(c.size ? { size: c.size } : {}),
  };
}

const worst = new Map<string, number>();
const gaps = new Map<string, number>();
afterAll(() => {
  if (worst.size > 0) {
    console.log(`eigen-smoothed heatmap relative L2 vs float64 (worst over the cases run; largest λ₂/λ₁):\n${[...worst].map(([m, e]) => `  ${m.padEnd(20)} ${e.toExponential(2)}  λ₂/λ₁ ≤ ${gaps.get(m)!.toFixed(3)}`).join('\n')}`);
  }
});

// The whole shape table for one weighted-sum method (eigen_centre's w·A mode) and each
// element-wise product it adds (ReLU(G)·A, ReLU(G·A)); the other weighted-sum methods use the
// same w·A mode with their own (separately tested) weights, so they leave out the three
// costliest cases (two 784×784 Gram matrices and B·K up to 12: minutes each on a software GPU).
// The element-wise products differ from w·A only in how eigen_centre forms each term, the
// same code at every size, so they skip the single largest case (28×28×2048: a 784×784 Gram
// matrix, 57–78 s each on SwiftShader), which gradcam runs for the large-Gram path.
const FULL_TABLE: readonly MethodName[] = ['gradcam', 'layercam', 'gradcamelementwise'];
const COSTLIEST = new Set([8, 9, 10]);
const LARGEST = 10;
const runsCase = (method: MethodName, i: number): boolean =>
  method === 'gradcam' || (FULL_TABLE.includes(method) ? i !== LARGEST : !COSTLIEST.has(i));

describe.each(SMOOTHABLE)('%s, eigen-smoothed, matches the float64 reference', (method) => {
  const cases = CASES.map((c, i) => [describeCase(c), c, i] as const).filter(([, , i]) => runsCase(method, i));
  it.each(cases)('%s', async (name, c, i) => {
    const options = plantedInputs(method, c, 6000 + i);
    const expected = referenceHeatmaps(options);
    // Checked, not assumed: the projected terms are inside the power iteration's contract.
    const dims = { ...expected.dims, batch: expected.dims.batch * expected.dims.targets, targets: 1 };
    const Z = summedTerms(METHODS[method].encoding, expected.weights, options.activations.data as Float32Array, options.gradients!.data as Float32Array, expected.dims);
    const ratio = Math.max(...eigenProjections(Z, null, dims, { gaps: true }).gapRatios!);
    expect(ratio).toBeLessThanOrEqual(GAP_CONTRACT);
    const heatmap = await heatmapOf(options);
    worst.set(method, Math.max(worst.get(method) ?? 0, relativeL2(heatmap, expected.heatmap)));
    gaps.set(method, Math.max(gaps.get(method) ?? 0, ratio));
    expectClose(heatmap, expected.heatmap, 1e-5, `${method} eigen-smoothed ${name}`);
    // The smoothed map is not the summed one (the option is not ignored); a 1×1 map is 0 either way.
    if (c.height * c.width > 1) expect(relativeL2(heatmap, referenceHeatmaps({ ...options, eigenSmooth: false }).heatmap)).toBeGreaterThan(1e-4);
  }, 600_000);
});

describe('edge inputs', () => {
  const small = CASES[5]!; // 5×9×64, B=4

  it.each(SMOOTHABLE)('%s: zero and spatially constant activations give all-zero maps', async (method) => {
    for (const fill of [() => 0, (c: number) => 0.25 + c / 64]) {
      const options = plantedInputs(method, small, 6100);
      const C = small.channels;
      const activations = { ...options.activations, data: (options.activations.data as Float32Array).map((_, i) => fill(i % C)) };
      // Spatially constant gradients too, so that f(G, A) is constant over positions for every method.
      const gradients = { ...options.gradients!, data: (options.gradients!.data as Float32Array).map((_, i) => ((i % C) - 20) / 64) };
      const heatmap = await heatmapOf({ ...options, activations, gradients });
      expect(heatmap.every((v) => v === 0)).toBe(true);
    }
  });

  it.each(SMOOTHABLE)('%s: NaN activations and Inf gradients are refused, naming them', async (method) => {
    const options = plantedInputs(method, small, 6200);
    const nanA = { ...options.activations, data: (options.activations.data as Float32Array).map((v, i) => (i === 31 ? Number.NaN : v)) };
    const error = await heatmapOf({ ...options, activations: nanA }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteInputError);
    expect((error as NonFiniteInputError).sources).toContain('activations');
    const infG = { ...options.gradients!, data: (options.gradients!.data as Float32Array).map((v, i) => (i === 7 ? Infinity : v)) };
    const gError = await heatmapOf({ ...options, gradients: infG }).catch((e: unknown) => e);
    expect(gError).toBeInstanceOf(NonFiniteInputError);
    expect((gError as NonFiniteInputError).sources).toContain('gradients');
  });

  it.each(METHOD_NAMES.filter((m) => !SMOOTHABLE.includes(m)))('%s: eigenSmooth is refused with the methods that take it', (method) => {
    const options = { ...makeInputs(method, small, 6300), eigenSmooth: true };
    expect(() => gpu.engine.compute(options)).toThrow(InvalidInputError);
    expect(() => gpu.engine.compute(options)).toThrow(/eigenSmooth does not apply to .*; it applies to gradcam, gradcam\+\+/);
  });
});
