// Float64 references of the map kernels: weighted sums, min-max and normalisation.
import type { FeatureDims } from '../inputs.js';
import type { ElementwiseProduct } from '../methods.js';

type Values = ArrayLike<number>;

/** map[m, s] = ReLU(Σ_c w[m, c]·A[b, s, c]). */
export function weightedSumRelu(activations: Values, weights: Values, d: FeatureDims): Float64Array {
  const S = d.height * d.width;
  const C = d.channels;
  const out = new Float64Array(d.batch * d.targets * S);
  for (let m = 0; m < d.batch * d.targets; m++) {
    const b = Math.floor(m / d.targets);
    for (let s = 0; s < S; s++) {
      let sum = 0;
      for (let c = 0; c < C; c++) sum += weights[m * C + c]! * activations[(b * S + s) * C + c]!;
      out[m * S + s] = Math.max(sum, 0);
    }
  }
  return out;
}

/** map[m, s] = ReLU(Σ_c f(G[m, s, c], A[b, s, c])), f = G·A (HiResCAM), ReLU(G)·A (Layer-CAM) or ReLU(G·A) (element-wise Grad-CAM). */
export function elementwiseSumRelu(activations: Values, gradients: Values, d: FeatureDims, product: ElementwiseProduct): Float64Array {
  const S = d.height * d.width;
  const C = d.channels;
  const out = new Float64Array(d.batch * d.targets * S);
  for (let m = 0; m < d.batch * d.targets; m++) {
    const b = Math.floor(m / d.targets);
    for (let s = 0; s < S; s++) {
      let sum = 0;
      for (let c = 0; c < C; c++) {
        const g = gradients[(m * S + s) * C + c]!;
        const a = activations[(b * S + s) * C + c]!;
        sum += product === 'relu-gradient' ? Math.max(g, 0) * a : product === 'relu-product' ? Math.max(g * a, 0) : g * a;
      }
      out[m * S + s] = Math.max(sum, 0);
    }
  }
  return out;
}

/** (min, max) of each of `count` maps of `positions` values, interleaved. */
export function mapRanges(maps: Values, count: number, positions: number): Float64Array {
  const out = new Float64Array(count * 2);
  for (let m = 0; m < count; m++) {
    let low = Infinity;
    let high = -Infinity;
    for (let s = 0; s < positions; s++) {
      const v = maps[m * positions + s]!;
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
    out[2 * m] = low;
    out[2 * m + 1] = high;
  }
  return out;
}

/** (x − min)/(max − min + 1e-7) per map. */
export function normalizeMaps(maps: Values, ranges: Values, count: number, positions: number): Float64Array {
  const out = new Float64Array(count * positions);
  for (let m = 0; m < count; m++) {
    const low = ranges[2 * m]!;
    const high = ranges[2 * m + 1]!;
    for (let s = 0; s < positions; s++) out[m * positions + s] = (maps[m * positions + s]! - low) / (high - low + 1e-7);
  }
  return out;
}
