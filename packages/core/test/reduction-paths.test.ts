// The gradient-weight kernels (Grad-CAM, Grad-CAM++, XGrad-CAM: a reduction over positions
// split across lanes) on both of their reduction paths, each against float64 over the
// shape table: subgroup shuffles on a device with the `subgroups` feature, workgroup
// memory and barriers on a device without it. Outputs are poisoned before the kernels run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeDevice, type NodeDevice } from '@wgcam/node-adapter';
import { CamEngine, NonFiniteInputError } from '../src/index.js';
import { BufferPool } from '../src/gpu/buffer-pool.js';
import { CommandBatch } from '../src/gpu/command-batch.js';
import { STORAGE_USAGE } from '../src/gpu/flags.js';
import { deviceLaneTuning, reductionLanesFor } from '../src/gpu/lane-tuning.js';
import { readBuffers } from '../src/gpu/readback.js';
import type { FeatureDims } from '../src/inputs.js';
import type { StageInputs } from '../src/stages.js';
import * as ref from '../src/reference/index.js';
import { encodeElementwiseSum, encodeGradientWeights, encodeWeightedSum, gradcamLanes } from '../src/stages.js';
import { CASES, describeCase, makeInputs, type TestCase } from './cases.js';
import { expectClose, makeRng, randomFloats, withGpuErrorScopes } from './gpu-fixture.js';
import { gradcamppConditioning, predictedGradcamppError } from './gradcampp-conditioning.js';

const KERNELS = ['gradcam_weights', 'gradcampp_weights', 'xgradcam_weights'] as const;
type WeightKernel = (typeof KERNELS)[number];

function expectedWeights(kernel: WeightKernel, A: Float32Array, G: Float32Array, dims: FeatureDims): Float64Array | number[] {
  if (kernel === 'gradcam_weights') return ref.gradcamWeights(G, dims);
  return kernel === 'gradcampp_weights' ? ref.gradcamppWeights(A, G, dims) : ref.xgradcamWeights(A, G, dims);
}

function dimsOf(c: TestCase): FeatureDims {
  return { batch: c.batch, height: c.height, width: c.width, channels: c.channels, targets: c.targets };
}

// The shape table plus positions and channel counts that give a lane width it lacks (2).
const EXTRA: readonly TestCase[] = [
  { height: 2, width: 3, channels: 7, batch: 2, targets: 2, size: undefined },
  { height: 10, width: 10, channels: 100, batch: 1, targets: 2, size: undefined },
];
const cases = [...CASES, ...EXTRA].map((c, i) => [describeCase(c), c, i] as const);
// Inputs the sums must get exactly right too: signs, zeros and constants.
const SPECIAL = ['zero gradients', 'zero activations', 'constant activations', 'constant gradients'] as const;
const SPECIAL_CASES = [CASES[0]!, CASES[3]!, CASES[7]!, CASES[12]!];

describe.each([
  { path: 'subgroup', subgroups: true },
  { path: 'workgroup-memory', subgroups: false },
])('gradient weights on the $path path', ({ subgroups }) => {
  const gpu = {} as { node: NodeDevice; device: GPUDevice; engine: CamEngine; available: boolean };
  beforeAll(async () => {
    gpu.node = await createNodeDevice({ subgroups });
    gpu.device = gpu.node.device;
    gpu.engine = new CamEngine(gpu.device, { poisonOutputs: true });
    gpu.available = !subgroups || gpu.node.adapter.features.has('subgroups');
    if (!gpu.available) console.log('this adapter has no `subgroups` feature: the subgroup path cannot run here and its tests are skipped');
  });
  afterAll(() => {
    gpu.engine?.destroy();
    gpu.node?.destroy();
  });

  /** Runs one stage on this path's device; its output is poisoned (NaN bytes) first. */
  async function stage(dims: FeatureDims, A: Float32Array, bytes: number, encode: (inputs: StageInputs, upload: (data: Float32Array) => GPUBuffer) => GPUBuffer): Promise<Float32Array> {
    return withGpuErrorScopes(gpu.device, async () => {
      const pool = new BufferPool(gpu.device);
      const batch = new CommandBatch(gpu.device, pool, false);
      const status = batch.temporary(16, STORAGE_USAGE, 'status');
      batch.commands().clearBuffer(status);
      const activations = batch.upload(A, 'activations');
      const out = encode({ batch, dims, activations, status }, (data) => batch.upload(data, 'input'));
      // A queued write runs before the batch's submit.
      gpu.device.queue.writeBuffer(out, 0, new Uint8Array(bytes).fill(0xff));
      batch.submit();
      const [data] = await readBuffers(gpu.device, pool, [{ buffer: out, bytes }]);
      pool.destroy();
      return new Float32Array(data as ArrayBuffer);
    });
  }

  function weights(kernel: WeightKernel, dims: FeatureDims, A: Float32Array, G: Float32Array): Promise<Float32Array> {
    // The hardware split (software = false): Grad-CAM's kernel takes one lane per channel on a
    // software adapter, and its lanes would otherwise never be tested on one.
    return stage(dims, A, dims.batch * dims.targets * dims.channels * 4, (inputs, upload) => encodeGradientWeights(inputs, kernel, upload(G), false));
  }

  it('the engine picks the path the device allows', ({ skip }) => {
    if (!gpu.available) skip();
    const tuning = deviceLaneTuning(gpu.device);
    expect(tuning.subgroups).toBe(subgroups);
    // Every lane width from 1 to the path's largest (4 without subgroups; the smallest
    // subgroup size with them) comes up, over positions (weights) or channels (maps).
    const all = [...CASES, ...EXTRA].flatMap((c) => [reductionLanesFor(c.height * c.width, tuning), reductionLanesFor(c.channels, tuning)]);
    const widths = [...new Set(all)].sort((a, b) => a - b);
    expect(widths).toEqual(Array.from({ length: Math.log2(tuning.maxLanes) + 1 }, (_, j) => 2 ** j));
    if (!subgroups) expect(tuning.maxLanes).toBe(4);
    // Grad-CAM's weights: the same split on a hardware GPU, one lane per channel on a software adapter.
    for (const c of [...CASES, ...EXTRA]) {
      const S = c.height * c.width;
      expect(gradcamLanes(S, tuning, false)).toBe(reductionLanesFor(S, tuning));
      expect(gradcamLanes(S, tuning, true)).toBe(1);
    }
  });

  it.each(cases)('%s', async (_n, c, i) => {
    if (!gpu.available) return;
    const rng = makeRng(500 + i);
    const dims = dimsOf(c);
    const S = c.height * c.width;
    const A = randomFloats(rng, c.batch * S * c.channels, 0, 1);
    const G = randomFloats(rng, c.batch * c.targets * S * c.channels, -1, 1);
    for (const kernel of KERNELS) expectClose(await weights(kernel, dims, A, G), expectedWeights(kernel, A, G, dims), 1e-5, `${kernel} ${describeCase(c)}`);
  });

  it.each(cases)('map kernels (weighted sum, element-wise sums), %s', async (_n, c, i) => {
    if (!gpu.available) return;
    const rng = makeRng(800 + i);
    const dims = dimsOf(c);
    const S = c.height * c.width;
    const maps = c.batch * c.targets;
    const A = randomFloats(rng, c.batch * S * c.channels, -1, 1);
    const G = randomFloats(rng, maps * S * c.channels, -1, 1);
    const w = randomFloats(rng, maps * c.channels, -1, 1);
    const expected = ref.weightedSumRelu(A, w, dims);
    const got = await stage(dims, A, maps * S * 4, (inputs, upload) => encodeWeightedSum(inputs, upload(w)));
    if (expected.every((v) => v === 0)) expect([...got].every((v) => v === 0), `weighted_sum_relu ${describeCase(c)}: zeros`).toBe(true);
    else expectClose(got, expected, 1e-5, `weighted_sum_relu ${describeCase(c)}`);
    for (const product of ['gradient', 'relu-gradient', 'relu-product'] as const) {
      const want = ref.elementwiseSumRelu(A, G, dims, product);
      const have = await stage(dims, A, maps * S * 4, (inputs, upload) => encodeElementwiseSum(inputs, upload(G), product));
      if (want.every((v) => v === 0)) expect([...have].every((v) => v === 0), `elementwise ${product} ${describeCase(c)}: zeros`).toBe(true);
      else expectClose(have, want, 1e-5, `elementwise_sum_relu ${product} ${describeCase(c)}`);
    }
  });

  it.each(SPECIAL)('%s', async (special) => {
    if (!gpu.available) return;
    for (const [i, c] of SPECIAL_CASES.entries()) {
      const rng = makeRng(600 + i);
      const dims = dimsOf(c);
      const S = c.height * c.width;
      let A = randomFloats(rng, c.batch * S * c.channels, -1, 1);
      let G = randomFloats(rng, c.batch * c.targets * S * c.channels, -1, 1);
      if (special === 'zero gradients') G = new Float32Array(G.length);
      if (special === 'zero activations') A = new Float32Array(A.length);
      if (special === 'constant activations') A = new Float32Array(A.length).fill(0.375);
      if (special === 'constant gradients') G = new Float32Array(G.length).fill(0.625);
      for (const kernel of KERNELS) {
        // Grad-CAM++ with signed activations can sit near its pole: the map-level test below bounds it by conditioning.
        if (kernel === 'gradcampp_weights' && special !== 'constant activations' && special !== 'zero activations') continue;
        const expected = expectedWeights(kernel, A, G, dims);
        const got = await weights(kernel, dims, A, G);
        // All-zero references (zero gradients) must come back as exact zeros: relative L2 is undefined there.
        if (expected.every((v) => v === 0)) expect([...got].every((v) => v === 0), `${kernel} ${special} ${describeCase(c)}: zeros`).toBe(true);
        else expectClose(got, expected, 1e-5, `${kernel} ${special} ${describeCase(c)}`);
      }
    }
  });

  it.each(['gradcam', 'xgradcam', 'hirescam'] as const)('%s: a map that overflows float32 is reported, not dropped', async (method) => {
    if (!gpu.available) return;
    // Every A and G 3e38: products and sums overflow to ∞ inside the lanes' pairs, whose
    // TwoSum error terms become NaN; the map must still hold ∞ and fail with a typed error.
    const options = makeInputs(method, CASES[2]!, 900);
    const huge = (data: unknown) => new Float32Array((data as Float32Array).length).fill(3e38);
    const overflowing = { ...options, activations: { ...options.activations, data: huge(options.activations.data) }, gradients: { ...options.gradients!, data: huge(options.gradients!.data) } };
    const result = gpu.engine.compute(overflowing);
    const error = await result.readHeatmap().then(() => null, (e: unknown) => e);
    result.release();
    expect(error).toBeInstanceOf(NonFiniteInputError);
  });

  it.each(['gradcam', 'gradcam++', 'xgradcam'] as const)('%s heatmaps with signed activations', async (method) => {
    if (!gpu.available) return;
    for (const [i, c] of [CASES[3]!, CASES[7]!, CASES[12]!].entries()) {
      const options = makeInputs(method, c, 700 + i, true);
      let tolerance = 1e-5;
      if (method === 'gradcam++') {
        // As methods.test: a case near the pole holds 1e-5 plus what its conditioning predicts for float32.
        const k = gradcamppConditioning(options.activations.data as Float32Array, options.gradients!.data as Float32Array, dimsOf(c));
        const predicted = predictedGradcamppError(k, c.height * c.width);
        if (predicted > 1e-6) tolerance += predicted;
      }
      const expected = ref.referenceHeatmaps(options);
      await withGpuErrorScopes(gpu.device, async () => {
        const result = gpu.engine.compute(options);
        expectClose(await result.readHeatmap(), expected.heatmap, tolerance, `${method} signed ${describeCase(c)}`);
        result.release();
      });
    }
  });
});
