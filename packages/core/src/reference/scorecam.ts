// Float64 references of Score-CAM's kernels.
import type { FeatureDims, Size2D } from '../inputs.js';
import type { ModelInputDims, ScoreCamVariant } from '../scorecam-stages.js';
import { sampleBilinear } from './resample.js';

type Values = ArrayLike<number>;

function channelPlane(activations: Values, d: FeatureDims, b: number, c: number): (y: number, x: number) => number {
  return (y, x) => activations[((b * d.height + y) * d.width + x) * d.channels + c]!;
}

/** (min, max) of every channel upsampled to `size`, [B·C] interleaved. */
export function channelRanges(activations: Values, d: FeatureDims, size: Size2D): Float64Array {
  const out = new Float64Array(d.batch * d.channels * 2);
  const from = { height: d.height, width: d.width };
  for (let b = 0; b < d.batch; b++) {
    for (let c = 0; c < d.channels; c++) {
      const at = channelPlane(activations, d, b, c);
      let low = Infinity;
      let high = -Infinity;
      for (let Y = 0; Y < size.height; Y++) {
        for (let X = 0; X < size.width; X++) {
          const v = sampleBilinear(at, from, size, Y, X);
          low = Math.min(low, v);
          high = Math.max(high, v);
        }
      }
      out[2 * (b * d.channels + c)] = low;
      out[2 * (b * d.channels + c) + 1] = high;
    }
  }
  return out;
}

/** Masked inputs for pairs first..first+count−1, [count, H, W, Cin]. */
export function scoreCamMasks(activations: Values, ranges: Values, input: Values, d: FeatureDims, model: ModelInputDims, first: number, count: number): Float64Array {
  const pixels = model.height * model.width;
  const out = new Float64Array(count * pixels * model.channels);
  const from = { height: d.height, width: d.width };
  for (let j = 0; j < count; j++) {
    const pair = first + j;
    const b = Math.floor(pair / d.channels);
    const c = pair % d.channels;
    const at = channelPlane(activations, d, b, c);
    const low = ranges[2 * pair]!;
    const spread = ranges[2 * pair + 1]! - low;
    for (let Y = 0; Y < model.height; Y++) {
      for (let X = 0; X < model.width; X++) {
        const mask = spread > 0 ? (sampleBilinear(at, from, model, Y, X) - low) / spread : 0;
        const p = Y * model.width + X;
        for (let ch = 0; ch < model.channels; ch++) {
          out[(j * pixels + p) * model.channels + ch] = input[(b * pixels + p) * model.channels + ch]! * mask;
        }
      }
    }
  }
  return out;
}

/** Channel weights [B·K, C] from the logits of all B·C masked inputs. */
export function scoreCamWeights(logits: Values, targets: ArrayLike<number>, ranges: Values, d: FeatureDims, classes: number, variant: ScoreCamVariant): Float64Array {
  const C = d.channels;
  const out = new Float64Array(d.batch * d.targets * C);
  for (let b = 0; b < d.batch; b++) {
    for (let k = 0; k < d.targets; k++) {
      const m = b * d.targets + k;
      const t = targets[m]!;
      const scores: number[] = [];
      for (let c = 0; c < C; c++) {
        const row = (b * C + c) * classes;
        const constant = ranges[2 * (b * C + c) + 1]! <= ranges[2 * (b * C + c)]!;
        if (variant === 'probability') {
          let largest = -Infinity;
          for (let j = 0; j < classes; j++) largest = Math.max(largest, logits[row + j]!);
          let total = 0;
          for (let j = 0; j < classes; j++) total += Math.exp(logits[row + j]! - largest);
          scores.push(constant ? 0 : Math.exp(logits[row + t]! - largest) / total);
        } else {
          scores.push(constant ? -Infinity : logits[row + t]!);
        }
      }
      if (variant === 'channel-softmax') {
        const largest = Math.max(...scores);
        // All-constant channels: every score is −∞ and the kernel's finite stand-in gives a uniform softmax.
        const exps = scores.map((s) => (largest === -Infinity ? 1 : Math.exp(s - largest)));
        const total = exps.reduce((a, e) => a + e, 0);
        exps.forEach((e, c) => (out[m * C + c] = e / total));
      } else {
        scores.forEach((s, c) => (out[m * C + c] = s));
      }
    }
  }
  return out;
}
