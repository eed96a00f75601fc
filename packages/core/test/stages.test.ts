// Each kernel on its own against its float64 reference, over the shape table, with the
// output poisoned (NaN bytes) before the kernel runs.
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../src/gpu/buffer-pool.js';
import { CommandBatch } from '../src/gpu/command-batch.js';
import { STORAGE_USAGE } from '../src/gpu/flags.js';
import { readBuffers } from '../src/gpu/readback.js';
import { colormapTable } from '../src/colormaps.js';
import type { FeatureDims } from '../src/inputs.js';
import * as ref from '../src/reference/index.js';
import {
  encodeCamWeights,
  encodeElementwiseSum,
  encodeGradientWeights,
  encodeMinMax,
  encodeNormalize,
  encodeOverlay,
  encodeUpsample,
  encodeWeightedSum,
  type StageInputs,
} from '../src/stages.js';
import {
  encodeChannelRanges,
  encodeChannelSoftmax,
  encodeScoreCamMasks,
  encodeScoreWeights,
} from '../src/scorecam-stages.js';
import { CASES, CLASSES, describeCase, type TestCase } from './cases.js';
import { expectClose, makeRng, maxByteDifference, randomFloats, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();

interface StageRun {
  batch: CommandBatch;
  inputs: StageInputs;
  upload(data: Float32Array | Uint32Array | Uint8Array): GPUBuffer;
  /** An output buffer filled with NaN bytes. */
  poisoned(bytes: number): GPUBuffer;
}

async function runStage(dims: FeatureDims, activations: Float32Array, encode: (run: StageRun) => GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  return withGpuErrorScopes(gpu.device, async () => {
    const pool = new BufferPool(gpu.device);
    const batch = new CommandBatch(gpu.device, pool, false);
    const status = batch.temporary(16, STORAGE_USAGE, 'status');
    batch.commands().clearBuffer(status);
    const run: StageRun = {
      batch,
      inputs: { batch, dims, activations: batch.upload(activations, 'activations'), status },
      upload: (data) => batch.upload(data, 'input'),
      poisoned: (n) => {
        const buffer = batch.temporary(n, STORAGE_USAGE, 'output');
        gpu.device.queue.writeBuffer(buffer, 0, new Uint8Array(Math.ceil(n / 4) * 4).fill(0xff));
        return buffer;
      },
    };
    const out = encode(run);
    // Read before the batch returns its temporaries, from the same queue: ordering holds.
    batch.submit();
    const [data] = await readBuffers(gpu.device, pool, [{ buffer: out, bytes }]);
    pool.destroy();
    return data as ArrayBuffer;
  });
}

function setup(c: TestCase, seed: number) {
  const rng = makeRng(seed);
  const dims: FeatureDims = { batch: c.batch, height: c.height, width: c.width, channels: c.channels, targets: c.targets };
  const S = c.height * c.width;
  const A = randomFloats(rng, c.batch * S * c.channels, 0, 1);
  const G = randomFloats(rng, c.batch * c.targets * S * c.channels, -1, 1);
  return { rng, dims, S, A, G, maps: c.batch * c.targets };
}

const cases = CASES.map((c, i) => [describeCase(c), c, i] as const);

describe('channel weight kernels', () => {
  it.each(cases)('gradcam / gradcam++ / xgradcam weights, %s', async (_n, c, i) => {
    const { dims, A, G, maps } = setup(c, 10 + i);
    const expected = {
      gradcam_weights: ref.gradcamWeights(G, dims),
      gradcampp_weights: ref.gradcamppWeights(A, G, dims),
      xgradcam_weights: ref.xgradcamWeights(A, G, dims),
    } as const;
    for (const kernel of ['gradcam_weights', 'gradcampp_weights', 'xgradcam_weights'] as const) {
      const out = await runStage(dims, A, (run) => encodeGradientWeights(run.inputs, kernel, run.upload(G)), maps * c.channels * 4);
      expectClose(new Float32Array(out), expected[kernel], 1e-5, kernel);
    }
  });

  it.each(cases)('cam weights, %s', async (_n, c, i) => {
    const { rng, dims, A, maps } = setup(c, 20 + i);
    const W = randomFloats(rng, c.channels * CLASSES, -1, 1);
    const targets = Uint32Array.from({ length: maps }, () => Math.floor(rng() * CLASSES));
    const out = await runStage(dims, A, (run) => encodeCamWeights(run.inputs, run.upload(W), run.upload(targets), CLASSES), maps * c.channels * 4);
    expectClose(new Float32Array(out), ref.camWeights(W, targets, dims, CLASSES), 1e-5, 'cam_weights');
  });
});

describe('map kernels', () => {
  it.each(cases)('weighted sum, elementwise sums, min/max, normalise, %s', async (_n, c, i) => {
    const { rng, dims, A, G, S, maps } = setup(c, 30 + i);
    const w = randomFloats(rng, maps * c.channels, -1, 1);
    const raw = ref.weightedSumRelu(A, w, dims);
    const out = await runStage(dims, A, (run) => encodeWeightedSum(run.inputs, run.upload(w)), maps * S * 4);
    expectClose(new Float32Array(out), raw, 1e-5, 'weighted_sum_relu');

    for (const product of ['gradient', 'relu-gradient', 'relu-product'] as const) {
      const got = await runStage(dims, A, (run) => encodeElementwiseSum(run.inputs, run.upload(G), product), maps * S * 4);
      expectClose(new Float32Array(got), ref.elementwiseSumRelu(A, G, dims, product), 1e-5, `elementwise_sum_relu ${product}`);
    }

    const rawF32 = Float32Array.from(raw);
    const ranges = await runStage(dims, A, (run) => encodeMinMax(run.inputs, run.upload(rawF32)), maps * 8);
    const expectedRanges = ref.mapRanges(rawF32, maps, S);
    expectClose(new Float32Array(ranges), expectedRanges, 1e-6, 'map_minmax');

    const normalized = await runStage(
      dims,
      A,
      (run) => {
        const target = run.poisoned(maps * S * 4);
        encodeNormalize(run.inputs, run.upload(rawF32), run.upload(Float32Array.from(expectedRanges)), target);
        return target;
      },
      maps * S * 4,
    );
    expectClose(new Float32Array(normalized), ref.normalizeMaps(rawF32, Float32Array.from(expectedRanges), maps, S), 1e-5, 'normalize_maps');
  });
});

describe('resampling and rendering kernels', () => {
  it.each(cases)('bilinear upsampling and colormap overlay, %s', async (_n, c, i) => {
    const { rng, dims, A, maps } = setup(c, 40 + i);
    const from = { height: c.height, width: c.width };
    const to = c.size ?? { height: 3 * c.height + 1, width: 2 * c.width + 5 };
    const source = randomFloats(rng, maps * c.height * c.width, 0, 1);
    const pixels = to.height * to.width;
    const resized = await runStage(
      dims,
      A,
      (run) => {
        const target = run.poisoned(maps * pixels * 4);
        encodeUpsample(run.batch, maps, run.upload(source), from, to, target);
        return target;
      },
      maps * pixels * 4,
    );
    expectClose(new Float32Array(resized), ref.upsampleBilinear(source, maps, from, to), 1e-5, 'upsample_bilinear');

    const heat = randomFloats(rng, maps * pixels, -0.1, 1.1); // outside [0, 1] is clamped
    const images = c.batch === 1 || i % 2 === 0 ? 1 : c.batch;
    const image = Uint8Array.from({ length: images * pixels * 4 }, () => Math.floor(rng() * 256));
    for (const [colormap, alpha, withImage] of [['jet', 0.5, true], ['viridis', 0.3, true], ['turbo', 1, false]] as const) {
      const lut = colormapTable(colormap);
      const overlay = await runStage(
        dims,
        A,
        (run) => {
          const target = run.poisoned(maps * pixels * 4);
          const img = withImage ? { buffer: run.upload(image), count: images } : null;
          encodeOverlay(run.batch, dims, run.upload(heat), run.upload(lut), img, pixels, alpha, target);
          return target;
        },
        maps * pixels * 4,
      );
      const expected = ref.colormapOverlay(heat, lut, withImage ? image : null, maps, c.targets, pixels, alpha);
      const { max, index } = maxByteDifference(new Uint8Array(overlay), expected);
      expect(max, `${colormap} overlay byte ${index}`).toBeLessThanOrEqual(1);
    }
  });
});

describe('Score-CAM kernels', () => {
  it.each(cases)('channel ranges, masks and score weights, %s', async (_n, c, i) => {
    const { rng, dims, A, maps } = setup(c, 50 + i);
    const model = { height: 2 * c.height + 5, width: 2 * c.width + 1, channels: 3 };
    const pairs = c.batch * c.channels;
    const ranges = await runStage(
      dims,
      A,
      (run) => {
        const target = run.poisoned(pairs * 8);
        encodeChannelRanges(run.batch, dims, run.inputs.activations, model, run.inputs.status, target);
        return target;
      },
      pairs * 8,
    );
    const expectedRanges = ref.channelRanges(A, dims, model);
    expectClose(new Float32Array(ranges), expectedRanges, 1e-6, 'channel_minmax');

    const input = randomFloats(rng, c.batch * model.height * model.width * 3, -1, 1);
    const rangesF32 = Float32Array.from(expectedRanges);
    const first = Math.floor(pairs / 3);
    const count = Math.min(pairs - first, 37);
    const maskBytes = count * model.height * model.width * 3 * 4;
    const masked = await runStage(
      dims,
      A,
      (run) => {
        const out = run.poisoned(maskBytes);
        encodeScoreCamMasks(run.batch, dims, { activations: run.inputs.activations, ranges: run.upload(rangesF32), input: run.upload(input), out }, model, first, count);
        return out;
      },
      maskBytes,
    );
    expectClose(new Float32Array(masked), ref.scoreCamMasks(A, rangesF32, input, dims, model, first, count), 1e-5, 'scorecam_mask');

    const logits = randomFloats(rng, pairs * CLASSES, -5, 5);
    const targets = Uint32Array.from({ length: maps }, () => Math.floor(rng() * CLASSES));
    for (const variant of ['probability', 'channel-softmax'] as const) {
      const weights = await runStage(
        dims,
        A,
        (run) => {
          const out = run.poisoned(maps * c.channels * 4);
          const buffers = { logits: run.upload(logits), targets: run.upload(targets), ranges: run.upload(rangesF32), weights: out, status: run.inputs.status };
          // Two chunks, as the TF.js loop submits them.
          const half = Math.floor(pairs / 2);
          encodeScoreWeights(run.batch, dims, { ...buffers, logits: run.upload(logits.subarray(0, half * CLASSES)) }, CLASSES, 0, half, variant);
          encodeScoreWeights(run.batch, dims, { ...buffers, logits: run.upload(logits.subarray(half * CLASSES)) }, CLASSES, half, pairs - half, variant);
          if (variant === 'channel-softmax') encodeChannelSoftmax(run.batch, dims, out);
          return out;
        },
        maps * c.channels * 4,
      );
      expectClose(new Float32Array(weights), ref.scoreCamWeights(logits, targets, rangesF32, dims, CLASSES, variant), 1e-5, `score_weights ${variant}`);
    }
  });
});
