// Float64 references of the Score-CAM family's kernels (score_ranges, channel_variance,
// top_channels, score_masks, ablation_masks, pass_scores, sample_mean_weights) and of the
// channel weights they give.
import type { FeatureDims, Size2D } from '../inputs.js';
import { maskedChannels, type ScorePlan } from '../score-plan.js';
import type { ModelInputDims } from '../inputs.js';

type Values = ArrayLike<number>;

/** Source coordinate and neighbours of output index `i`, half-pixel centres or aligned corners. */
function tap(i: number, inSize: number, outSize: number, aligned: boolean): { low: number; high: number; fraction: number } {
  const scaled = aligned
    ? outSize <= 1 ? 0 : Math.min(i * ((inSize - 1) / (outSize - 1)), inSize - 1)
    : Math.min(Math.max((i + 0.5) * (inSize / outSize) - 0.5, 0), inSize - 1);
  const low = Math.floor(scaled);
  return { low, high: Math.min(low + 1, inSize - 1), fraction: scaled - low };
}

function sample(activations: Values, d: FeatureDims, b: number, c: number, to: Size2D, aligned: boolean, Y: number, X: number): number {
  const at = (y: number, x: number): number => activations[((b * d.height + y) * d.width + x) * d.channels + c]!;
  const ty = tap(Y, d.height, to.height, aligned);
  const tx = tap(X, d.width, to.width, aligned);
  const top = at(ty.low, tx.low) + (at(ty.low, tx.high) - at(ty.low, tx.low)) * tx.fraction;
  const bottom = at(ty.high, tx.low) + (at(ty.high, tx.high) - at(ty.high, tx.low)) * tx.fraction;
  return top + (bottom - top) * ty.fraction;
}

/**
 * (min, max) of every channel over the plan's mask grid, [B·C] interleaved.
 *
 * @example
 * const ranges = scoreRanges(A, dims, scorePlan('scorecam', { variant: 'channel-softmax' }), { height: 224, width: 224 });
 */
export function scoreRanges(activations: Values, d: FeatureDims, plan: ScorePlan, inputSize: Size2D): Float64Array {
  const grid = plan.grid === 'feature' ? { height: d.height, width: d.width } : inputSize;
  const aligned = plan.grid === 'aligned';
  const out = new Float64Array(d.batch * d.channels * 2);
  for (let b = 0; b < d.batch; b++) {
    for (let c = 0; c < d.channels; c++) {
      let low = Infinity;
      let high = -Infinity;
      for (let Y = 0; Y < grid.height; Y++) {
        for (let X = 0; X < grid.width; X++) {
          const v = sample(activations, d, b, c, grid, aligned, Y, X);
          low = Math.min(low, v);
          high = Math.max(high, v);
        }
      }
      out.set([low, high], 2 * (b * d.channels + c));
    }
  }
  return out;
}

/** Spatial variance of every channel, [B·C] (Faster Score-CAM's ranking). */
export function channelVariances(activations: Values, d: FeatureDims): Float64Array {
  const S = d.height * d.width;
  const out = new Float64Array(d.batch * d.channels);
  for (let b = 0; b < d.batch; b++) {
    for (let c = 0; c < d.channels; c++) {
      let mean = 0;
      for (let s = 0; s < S; s++) mean += activations[(b * S + s) * d.channels + c]!;
      mean /= S;
      let squares = 0;
      for (let s = 0; s < S; s++) squares += (activations[(b * S + s) * d.channels + c]! - mean) ** 2;
      out[b * d.channels + c] = squares / S;
    }
  }
  return out;
}

/** The masked channels of each image: `selected` [B·N] in rank order and `rankOf` [B·C] (−1 when not masked). */
export interface ChannelSelection {
  readonly perImage: number;
  readonly selected: Int32Array;
  readonly rankOf: Int32Array;
}

/**
 * All channels in order, or (Faster Score-CAM) the N of largest variance, ties to the lower channel.
 *
 * @example
 * const { selected } = channelSelection(A, dims, scorePlan('fasterscorecam', { maxChannels: 4 }));
 */
export function channelSelection(activations: Values, d: FeatureDims, plan: ScorePlan): ChannelSelection {
  const N = maskedChannels(plan, d.channels);
  const selected = new Int32Array(d.batch * N);
  const rankOf = new Int32Array(d.batch * d.channels).fill(-1);
  const variances = plan.maxChannels === null ? null : channelVariances(activations, d);
  for (let b = 0; b < d.batch; b++) {
    const order = Array.from({ length: d.channels }, (_, c) => c);
    if (variances) {
      const v = (c: number): number => (Number.isNaN(variances[b * d.channels + c]!) ? -Infinity : variances[b * d.channels + c]!);
      order.sort((x, y) => v(y) - v(x) || x - y);
    }
    for (let r = 0; r < N; r++) {
      selected[b * N + r] = order[r]!;
      rankOf[b * d.channels + order[r]!] = r;
    }
  }
  return { perImage: N, selected, rankOf };
}

function pcg(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/**
 * The standard normal draw score_masks adds (times std) for (seed, sample, b·C + c, pixel).
 *
 * @example
 * const delta = maskNoise(0, 0, 5, 100);
 */
export function maskNoise(seed: number, sampleIndex: number, pair: number, pixel: number): number {
  const h0 = pcg((pixel + pcg((pair + pcg((sampleIndex + pcg(seed)) >>> 0)) >>> 0)) >>> 0);
  const h1 = pcg(h0);
  const h2 = pcg(h1);
  const u1 = ((h1 >>> 8) + 1) / 16777216;
  const u2 = (h2 >>> 8) / 16777216;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * The masked inputs of passes first..first+count−1, [count, H, W, Cin] (score_masks).
 *
 * @example
 * const masks = scoreFamilyMasks(A, ranges, selection, input, dims, model, plan, 0, 8);
 */
export function scoreFamilyMasks(
  activations: Values,
  ranges: Values,
  selection: ChannelSelection,
  input: Values,
  d: FeatureDims,
  model: ModelInputDims,
  plan: ScorePlan,
  first: number,
  count: number,
): Float64Array {
  const pixels = model.height * model.width;
  const out = new Float64Array(count * pixels * model.channels);
  const masked = d.batch * selection.perImage;
  const aligned = plan.grid === 'aligned';
  for (let j = 0; j < count; j++) {
    const p = first + j;
    const s = Math.floor(p / masked);
    const r = p % masked;
    const b = Math.floor(r / selection.perImage);
    const c = selection.selected[r]!;
    const pair = b * d.channels + c;
    const low = ranges[2 * pair]!;
    const spread = ranges[2 * pair + 1]! - low;
    const coefficient = plan.integrated ? ((s + 1) * (s + 2)) / (2 * plan.samples) : 1;
    for (let Y = 0; Y < model.height; Y++) {
      for (let X = 0; X < model.width; X++) {
        const pixel = Y * model.width + X;
        let mask = spread > 0 ? (sample(activations, d, b, c, model, aligned, Y, X) - low) / (spread + plan.epsilon) : 0;
        mask *= coefficient;
        if (plan.noiseStd !== 0) mask += plan.noiseStd * maskNoise(plan.seed, s, pair, pixel);
        for (let ch = 0; ch < model.channels; ch++) out[(j * pixels + pixel) * model.channels + ch] = input[(b * pixels + pixel) * model.channels + ch]! * mask;
      }
    }
  }
  return out;
}

/**
 * Ablation-CAM's head inputs for passes first..first+count−1: A of image p / C with channel p % C zeroed.
 *
 * @example
 * const batch = ablationInputs(A, dims, 0, dims.channels);
 */
export function ablationInputs(activations: Values, d: FeatureDims, first: number, count: number): Float64Array {
  const perImage = d.height * d.width * d.channels;
  const out = new Float64Array(count * perImage);
  for (let j = 0; j < count; j++) {
    const b = Math.floor((first + j) / d.channels);
    const zeroed = (first + j) % d.channels;
    for (let i = 0; i < perImage; i++) out[j * perImage + i] = i % d.channels === zeroed ? 0 : activations[b * perImage + i]!;
  }
  return out;
}

/**
 * Channel weights [B·K, C] from every pass's logits [samples·B·N, classes] (pass_scores,
 * sample_mean_weights, then the channel softmax when the plan has one).
 *
 * @example
 * const w = scoreFamilyWeights(logits, targets, ranges, selection, baseline, dims, 10, plan);
 */
export function scoreFamilyWeights(
  logits: Values,
  targets: ArrayLike<number>,
  ranges: Values | null,
  selection: ChannelSelection,
  baseline: Values | null,
  d: FeatureDims,
  classes: number,
  plan: ScorePlan,
): Float64Array {
  const N = selection.perImage;
  const masked = d.batch * N;
  const K = d.targets;
  const passes = plan.samples * masked;
  const scores = new Float64Array(passes * K);
  for (let p = 0; p < passes; p++) {
    const r = p % masked;
    const b = Math.floor(r / N);
    const c = selection.selected[r]!;
    const row = p * classes;
    for (let k = 0; k < K; k++) {
      const t = targets[b * K + k]!;
      const chosen = logits[row + t]!;
      let score = chosen;
      if (plan.scoring === 'probability') {
        let largest = -Infinity;
        for (let j = 0; j < classes; j++) largest = Math.max(largest, logits[row + j]!);
        let total = 0;
        for (let j = 0; j < classes; j++) total += Math.exp(logits[row + j]! - largest);
        const constant = ranges![2 * (b * d.channels + c) + 1]! <= ranges![2 * (b * d.channels + c)]!;
        score = constant ? 0 : Math.exp(chosen - largest) / total;
      } else if (plan.scoring === 'baseline') {
        score = chosen - baseline![b * classes + t]!;
      } else if (plan.scoring === 'drop') {
        const y = baseline![b * classes + t]!;
        score = y === 0 ? 0 : (y - chosen) / y;
      }
      scores[p * K + k] = score;
    }
  }
  const C = d.channels;
  const out = new Float64Array(d.batch * K * C);
  for (let b = 0; b < d.batch; b++) {
    for (let k = 0; k < K; k++) {
      const m = b * K + k;
      const row: number[] = [];
      for (let c = 0; c < C; c++) {
        const r = selection.rankOf[b * C + c]!;
        if (r < 0) {
          row.push(plan.channelSoftmax ? -Infinity : 0);
          continue;
        }
        let total = 0;
        for (let s = 0; s < plan.samples; s++) total += scores[(s * masked + b * N + r) * K + k]!;
        row.push(total / plan.samples);
      }
      if (plan.channelSoftmax) {
        const largest = Math.max(...row);
        const exps = row.map((v) => Math.exp(v - largest));
        const total = exps.reduce((a, e) => a + e, 0);
        exps.forEach((e, c) => (out[m * C + c] = e / total));
      } else {
        row.forEach((v, c) => (out[m * C + c] = v));
      }
    }
  }
  return out;
}
