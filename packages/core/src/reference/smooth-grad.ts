// Float64 reference of Smooth Grad-CAM++'s channel weights, from N noisy samples' gradients.
import type { FeatureDims } from '../inputs.js';

type Values = ArrayLike<number>;

/**
 * Smooth Grad-CAM++: with Ḡ_j = (1/N) Σ_n G_n^j per (b, k, s, c),
 * α = Ḡ₂ / (2Ḡ₂ + (Σ_s A)·Ḡ₃ + 1e-6) where Ḡ₂ ≠ 0 (else 0), w = Σ_s ReLU(Ḡ₁)·α.
 * `gradients` is [N, B·K, S, C], sample-major; A [B, S, C] is the clean input's.
 *
 * @example
 * const w = smoothGradcamppWeights(A, G, dims, 4); // [B·K, C]
 */
export function smoothGradcamppWeights(activations: Values, gradients: Values, d: FeatureDims, samples: number): Float64Array {
  const S = d.height * d.width;
  const C = d.channels;
  const maps = d.batch * d.targets;
  const stride = maps * S * C;
  const out = new Float64Array(maps * C);
  for (let m = 0; m < maps; m++) {
    const b = Math.floor(m / d.targets);
    for (let c = 0; c < C; c++) {
      let sumA = 0;
      for (let s = 0; s < S; s++) sumA += activations[(b * S + s) * C + c]!;
      let w = 0;
      for (let s = 0; s < S; s++) {
        let g1 = 0;
        let g2 = 0;
        let g3 = 0;
        for (let n = 0; n < samples; n++) {
          const g = gradients[n * stride + (m * S + s) * C + c]!;
          g1 += g;
          g2 += g * g;
          g3 += g * g * g;
        }
        g1 /= samples;
        g2 /= samples;
        g3 /= samples;
        if (g2 === 0) continue;
        w += (Math.max(g1, 0) * g2) / (2 * g2 + sumA * g3 + 1e-6);
      }
      out[m * C + c] = w;
    }
  }
  return out;
}
