// Float64 references of the channel-weight kernels. Arrays are NHWC as in the engine:
// A [B, S, C], G [B·K, S, C], weights [B·K, C].
import type { FeatureDims } from '../inputs.js';

type Values = ArrayLike<number>;

function positions(d: FeatureDims): number {
  return d.height * d.width;
}

/** Grad-CAM: w = mean_s G. */
export function gradcamWeights(gradients: Values, d: FeatureDims): Float64Array {
  const S = positions(d);
  const C = d.channels;
  const out = new Float64Array(d.batch * d.targets * C);
  for (let m = 0; m < d.batch * d.targets; m++) {
    for (let s = 0; s < S; s++) {
      for (let c = 0; c < C; c++) out[m * C + c]! += gradients[(m * S + s) * C + c]!;
    }
    for (let c = 0; c < C; c++) out[m * C + c]! /= S;
  }
  return out;
}

/** Grad-CAM++: α = G²/(2G² + ΣA·G³ + 1e-6) where G ≠ 0; w = Σ_s ReLU(G)·α. */
export function gradcamppWeights(activations: Values, gradients: Values, d: FeatureDims): Float64Array {
  const S = positions(d);
  const C = d.channels;
  const out = new Float64Array(d.batch * d.targets * C);
  for (let m = 0; m < d.batch * d.targets; m++) {
    const b = Math.floor(m / d.targets);
    for (let c = 0; c < C; c++) {
      let sumA = 0;
      for (let s = 0; s < S; s++) sumA += activations[(b * S + s) * C + c]!;
      let w = 0;
      for (let s = 0; s < S; s++) {
        const g = gradients[(m * S + s) * C + c]!;
        if (g === 0) continue;
        const alpha = (g * g) / (2 * g * g + sumA * g * g * g + 1e-6);
        w += Math.max(g, 0) * alpha;
      }
      out[m * C + c] = w;
    }
  }
  return out;
}

/** XGrad-CAM: w = Σ_s G·A / (Σ_s A + 1e-7). */
export function xgradcamWeights(activations: Values, gradients: Values, d: FeatureDims): Float64Array {
  const S = positions(d);
  const C = d.channels;
  const out = new Float64Array(d.batch * d.targets * C);
  for (let m = 0; m < d.batch * d.targets; m++) {
    const b = Math.floor(m / d.targets);
    for (let c = 0; c < C; c++) {
      let sumA = 0;
      let sumGA = 0;
      for (let s = 0; s < S; s++) {
        const a = activations[(b * S + s) * C + c]!;
        sumA += a;
        sumGA += gradients[(m * S + s) * C + c]! * a;
      }
      out[m * C + c] = sumGA / (sumA + 1e-7);
    }
  }
  return out;
}

/** CAM: w = W_dense[c, target]. */
export function camWeights(denseKernel: Values, targets: ArrayLike<number>, d: FeatureDims, classes: number): Float64Array {
  const C = d.channels;
  const out = new Float64Array(d.batch * d.targets * C);
  for (let m = 0; m < d.batch * d.targets; m++) {
    for (let c = 0; c < C; c++) out[m * C + c] = denseKernel[c * classes + targets[m]!]!;
  }
  return out;
}
