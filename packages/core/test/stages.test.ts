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
  encodeRender,
  encodeResizedMinMax,
  encodeWeightedSum,
  type StageInputs,
} from '../src/stages.js';
import { scorePlan, type ScorePlan } from '../src/score-plan.js';
import { encodeAblationInputs, encodeChannelSelection, encodePassScores, encodeScoreFamilyMasks, encodeScoreFamilyWeights, encodeScoreRanges, type SelectionBuffers } from '../src/score-stages.js';
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
  it.each(cases)('weighted sum, elementwise sums, min/max at feature and output resolution, %s', async (_n, c, i) => {
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


    // Output resolution: one size, and two sizes in one dispatch (heatmap and overlay).
    const to = c.size ?? { height: 3 * c.height + 1, width: 2 * c.width + 5 };
    const other = { height: c.height + 2, width: 2 * c.width + 1 };
    const resized = await runStage(dims, A, (run) => encodeResizedMinMax(run.inputs, run.upload(rawF32), [to, other]), maps * 16);
    const expectedResized = [
      ...ref.mapRanges(ref.upsampleBilinear(rawF32, maps, { height: c.height, width: c.width }, to), maps, to.height * to.width),
      ...ref.mapRanges(ref.upsampleBilinear(rawF32, maps, { height: c.height, width: c.width }, other), maps, other.height * other.width),
    ];
    expectClose(new Float32Array(resized), expectedResized, 1e-6, 'resized_minmax');
  });
});

// resized_minmax samples only the output rows and columns that end a run of equal taps (see
// its header); these sizes cover long runs, downsampling (every pixel a candidate), a single
// row, and more candidates than its lists hold (the every-pixel path). Signed maps, so
// extremes can sit between taps, not only on the map's own values.
describe('resized_minmax on signed maps, candidate rows and columns and the every-pixel path', () => {
  it.each([
    ['7×7 → 224×224', 7, 7, 224, 224],
    ['9×13 → 5×4 (downsampling)', 9, 13, 5, 4],
    ['1×6 → 1×91', 1, 6, 1, 91],
    ['5×3 → 97×2', 5, 3, 97, 2],
    ['600×2 → 1100×3 (over the candidate lists)', 600, 2, 1100, 3],
  ] as const)('%s', async (_name, height, width, outHeight, outWidth) => {
    const rng = makeRng(4000 + height * 31 + outWidth);
    const dims: FeatureDims = { batch: 2, targets: 1, height, width, channels: 1 };
    const maps = 2;
    const raw = randomFloats(rng, maps * height * width, -1, 1);
    const to = { height: outHeight, width: outWidth };
    const other = { height: outWidth + 1, width: outHeight + 2 };
    const A = new Float32Array(maps * height * width);
    const expected = [
      ...ref.mapRanges(ref.upsampleBilinear(raw, maps, { height, width }, to), maps, to.height * to.width),
      ...ref.mapRanges(ref.upsampleBilinear(raw, maps, { height, width }, other), maps, other.height * other.width),
    ];
    // Both workgroup widths on this adapter: a hardware GPU's (software = false) and a
    // software adapter's one SIMD group (software = true).
    for (const software of [false, true]) {
      const got = await runStage(dims, A, (run) => encodeResizedMinMax(run.inputs, run.upload(raw), [to, other], software), maps * 16);
      // The taps' float32 coordinates (Y + 0.5)·h/H − 0.5 are off by up to ~h·2⁻²³ from float64's,
      // which moves a sample of these maps (neighbours differ by < 2) by up to 2·h·2⁻²³: for
      // h or w in the hundreds that is over 1e-6 (measured 2.9e-6 at 600×2 → 1100×3).
      expectClose(new Float32Array(got), expected, 1e-6 + 2 * Math.max(height, width) * 2 ** -23, `resized_minmax (software ${software})`);
    }
  });
});

describe('render kernel (resize, normalise, heatmap, colormap, overlay in one dispatch)', () => {
  it.each(cases)('%s', async (_n, c, i) => {
    const { rng, dims, A, maps } = setup(c, 40 + i);
    const feature = { height: c.height, width: c.width };
    const to = c.size ?? { height: 3 * c.height + 1, width: 2 * c.width + 5 };
    const other = { height: 2 * c.height + 3, width: c.width + 4 };
    const raw = randomFloats(rng, maps * c.height * c.width, 0, 1);
    const pixels = to.height * to.width;
    const images = c.batch === 1 || i % 2 === 0 ? 1 : c.batch;
    const image = Uint8Array.from({ length: images * pixels * 4 }, () => Math.floor(rng() * 256));
    const otherImage = Uint8Array.from({ length: images * other.height * other.width * 4 }, () => Math.floor(rng() * 256));
    const rangesAt = (size: typeof to): Float64Array => ref.mapRanges(ref.upsampleBilinear(raw, maps, feature, size), maps, size.height * size.width);
    const bothRanges = Float32Array.from([...rangesAt(to), ...rangesAt(other)]);
    for (const [colormap, alpha, withImage] of [['jet', 0.5, true], ['viridis', 0.3, true], ['turbo', 1, false]] as const) {
      const lut = colormapTable(colormap);
      // Heatmap and overlay at one size: both written from one heat value. The colour bins
      // are checked on the heat the same kernel writes alone (identical arithmetic).
      const overlay = await runStage(
        dims,
        A,
        (run) => {
          const heatBuffer = run.poisoned(maps * pixels * 4);
          const target = run.poisoned(maps * pixels * 4);
          const img = withImage ? { buffer: run.upload(image), count: images } : null;
          // A hardware GPU's row width (64 invocations): the heatmap-only call below runs this device's.
          encodeRender(
            run.inputs,
            run.upload(raw),
            run.upload(bothRanges),
            {
              heatmap: { buffer: heatBuffer, size: to },
              overlay: { buffer: target, size: to, lut: run.upload(lut), image: img, alpha },
              overlayRanges: 0,
            },
            false,
          );
          return target;
        },
        maps * pixels * 4,
      );
      const expectedHeat = ref.normalizedHeat(raw, maps, feature, to, 'output');
      const gotHeat = await runStage(
        dims,
        A,
        (run) => {
          const heatBuffer = run.poisoned(maps * pixels * 4);
          encodeRender(run.inputs, run.upload(raw), run.upload(bothRanges), { heatmap: { buffer: heatBuffer, size: to }, overlay: null, overlayRanges: 0 });
          return heatBuffer;
        },
        maps * pixels * 4,
      );
      const heat = new Float32Array(gotHeat);
      expectClose(heat, expectedHeat, 1e-5, `render_maps heatmap ${colormap}`);
      const expected = ref.colormapOverlay(heat, lut, withImage ? image : null, maps, c.targets, pixels, alpha);
      const { max, index } = maxByteDifference(new Uint8Array(overlay), expected);
      expect(max, `${colormap} overlay byte ${index}`).toBeLessThanOrEqual(1);

      // An overlay of another size, normalised by its own ranges, in the same dispatch as the heatmap.
      const otherPixels = other.height * other.width;
      const otherOverlay = await runStage(
        dims,
        A,
        (run) => {
          const target = run.poisoned(maps * otherPixels * 4);
          const img = withImage ? { buffer: run.upload(otherImage), count: images } : null;
          encodeRender(run.inputs, run.upload(raw), run.upload(bothRanges), {
            heatmap: { buffer: run.poisoned(maps * pixels * 4), size: to },
            overlay: { buffer: target, size: other, lut: run.upload(lut), image: img, alpha },
            overlayRanges: maps,
          });
          return target;
        },
        maps * otherPixels * 4,
      );
      const otherHeat = ref.normalizedHeat(raw, maps, feature, other, 'output');
      const expectedOther = ref.colormapOverlay(otherHeat, lut, withImage ? otherImage : null, maps, c.targets, otherPixels, alpha);
      // float32 vs float64 heat may fall on either side of a bin edge: allow a few such pixels.
      const got = new Uint8Array(otherOverlay);
      let far = 0;
      for (let p = 0; p < got.length; p++) if (Math.abs(got[p]! - expectedOther[p]!) > 1) far++;
      expect(far, `${colormap} overlay at another size: bytes off by more than 1`).toBeLessThanOrEqual(Math.max(8, got.length * 1e-3));
    }
  });
});

/** The score-based plans whose kernels differ: grids, scorings, channel choice, samples, noise, running sums. */
const SCORE_PLANS: readonly [string, ScorePlan][] = [
  ['scorecam', scorePlan('scorecam')],
  ['scorecam channel-softmax', scorePlan('scorecam', { variant: 'channel-softmax' })],
  ['scorecam baseline', scorePlan('scorecam', { variant: 'baseline' })],
  ['fasterscorecam', scorePlan('fasterscorecam', { maxChannels: 3 })],
  ['sscam', scorePlan('sscam', { numSamples: 2, std: 0.5, seed: 7 })],
  ['iscam', scorePlan('iscam', { numSamples: 3 })],
  ['ablationcam', scorePlan('ablationcam')],
];

describe('Score-CAM family kernels', () => {
  it.each(cases)('ranges, channel choice, masked and ablated inputs, pass scores and weights of every plan, %s', async (_n, c, i) => {
    const { rng, dims, A, maps } = setup(c, 50 + i);
    for (let s = 0; s < c.height * c.width; s++) A[s * c.channels] = 0.5; // image 0, channel 0 constant
    const model = { height: 2 * c.height + 5, width: 2 * c.width + 1, channels: 3 };
    const pairs = c.batch * c.channels;
    const input = randomFloats(rng, c.batch * model.height * model.width * 3, -1, 1);
    for (const [name, plan] of SCORE_PLANS) {
      const expectedRanges = ref.scoreRanges(A, dims, plan, model);
      const ranges = await runStage(dims, A, (run) => {
        const out = run.poisoned(pairs * 8);
        encodeScoreRanges(run.batch, dims, plan, run.inputs.activations, model, run.inputs.status, out);
        return out;
      }, pairs * 8);
      expectClose(new Float32Array(ranges), expectedRanges, 1e-6, `score_ranges ${name}`);
      const rangesF32 = Float32Array.from(expectedRanges);

      // Without maxChannels the selection is an uploaded identity (not readable); the stages below run on the GPU's selection either way.
      const selection = ref.channelSelection(A, dims, plan);
      const gpuSelection = (run: StageRun): SelectionBuffers => encodeChannelSelection(run.batch, dims, plan, run.inputs.activations, (n) => run.poisoned(n), (data) => run.upload(data));
      for (const part of plan.maxChannels === null ? [] : (['selected', 'rankOf'] as const)) {
        const bytes = (part === 'selected' ? c.batch * selection.perImage : pairs) * 4;
        const got = await runStage(dims, A, (run) => gpuSelection(run)[part], bytes);
        expect(Array.from(new Int32Array(got)), `${part} ${name}`).toEqual(Array.from(selection[part]));
      }

      const passes = plan.samples * c.batch * selection.perImage;
      const first = Math.floor(passes / 3);
      const count = Math.min(passes - first, 37);
      if (plan.feeds === 'input') {
        const maskBytes = count * model.height * model.width * 3 * 4;
        const masked = await runStage(dims, A, (run) => {
          const out = run.poisoned(maskBytes);
          const buffers = { activations: run.inputs.activations, ranges: run.upload(rangesF32), selection: gpuSelection(run), input: run.upload(input), out };
          encodeScoreFamilyMasks(run.batch, dims, plan, buffers, model, first, count);
          return out;
        }, maskBytes);
        expectClose(new Float32Array(masked), ref.scoreFamilyMasks(A, rangesF32, selection, input, dims, model, plan, first, count), 1e-5, `score_masks ${name}`);
      } else {
        const headBytes = count * c.height * c.width * c.channels * 4;
        const ablated = await runStage(dims, A, (run) => {
          const out = run.poisoned(headBytes);
          encodeAblationInputs(run.batch, dims, run.inputs.activations, out, first, count);
          return out;
        }, headBytes);
        expectClose(new Float32Array(ablated), ref.ablationInputs(A, dims, first, count), 0, `ablation_masks ${name}`);
      }

      const logits = randomFloats(rng, passes * CLASSES, -5, 5);
      const baseline = randomFloats(rng, c.batch * CLASSES, 1, 5);
      const targets = Uint32Array.from({ length: maps }, () => Math.floor(rng() * CLASSES));
      const weights = await runStage(dims, A, (run) => {
        const out = run.poisoned(maps * c.channels * 4);
        const chosen = gpuSelection(run);
        const scores = run.poisoned(passes * c.targets * 4);
        const buffers = { targets: run.upload(targets), ranges: run.upload(rangesF32), selection: chosen, baseline: run.upload(baseline), scores, status: run.inputs.status };
        // Two chunks, as the session submits them.
        const half = Math.floor(passes / 2);
        encodePassScores(run.batch, dims, plan, { ...buffers, logits: run.upload(logits.subarray(0, half * CLASSES)) }, CLASSES, 0, half);
        encodePassScores(run.batch, dims, plan, { ...buffers, logits: run.upload(logits.subarray(half * CLASSES)) }, CLASSES, half, passes - half);
        encodeScoreFamilyWeights(run.batch, dims, plan, scores, chosen, out);
        return out;
      }, maps * c.channels * 4);
      expectClose(new Float32Array(weights), ref.scoreFamilyWeights(logits, targets, rangesF32, selection, baseline, dims, CLASSES, plan), 1e-5, `pass_scores + sample_mean_weights ${name}`);
    }
  });
});
