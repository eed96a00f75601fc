// Condition numbers of the float64 Grad-CAM++ reference, computed from its inputs: how far
// a float32 pipeline can be from it through no fault of the kernel. The weight term is
//   ReLU(G)·α = G/d,  d = 2 + S·G + 1e-6/G²,  S = Σ_s A,
// which has a pole where d = 0 (possible only when S < 0, i.e. with signed activations).
import type { FeatureDims } from '../src/inputs.js';

/** float32's unit roundoff, 2⁻²⁴. */
export const F32_UNIT_ROUNDOFF = 2 ** -24;

export interface GradcamppConditioning {
  /**
   * κ_S: relative change of the raw maps (L2 over every map and position) per relative
   * change of every channel's S = Σ_s A, to first order: ‖Σ_c |S_c·∂w_c/∂S_c|·|A_sc|‖ / ‖map − min map‖
   * (the offset is what min-max normalisation removes; single-position maps normalise to 0
   * whatever their value and are left out).
   * Plain float32 (S rounded once) gives errors of about κ_S·2⁻²⁴; the kernel keeps S as
   * a float32 pair, accurate to about positions·2⁻⁴⁸ relative (cascaded TwoSum).
   */
  readonly sumCondition: number;
  /** κ_w: relative change of the raw maps per relative change of every weight, ‖Σ_c |w_c·A_sc|‖ / ‖map − min map‖. */
  readonly weightCondition: number;
  /** Smallest |d| over the terms with G > 0, relative to its largest term |S·G| + 2 + 1e-6/G². */
  readonly closestToPole: number;
}

/** Condition numbers of Grad-CAM++ on activations [B, S, C] and gradients [B·K, S, C]. */
export function gradcamppConditioning(activations: ArrayLike<number>, gradients: ArrayLike<number>, d: FeatureDims): GradcamppConditioning {
  const S = d.height * d.width;
  const C = d.channels;
  const maps = d.batch * d.targets;
  let sumNumerator = 0;
  let weightNumerator = 0;
  let mapNorm = 0;
  let closestToPole = Infinity;
  const weight = new Float64Array(C);
  const sensitivity = new Float64Array(C); // |S_c · ∂w_c/∂S_c|
  for (let m = 0; m < maps; m++) {
    const b = Math.floor(m / d.targets);
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let s = 0; s < S; s++) sum += activations[(b * S + s) * C + c]!;
      let w = 0;
      let derivative = 0;
      for (let s = 0; s < S; s++) {
        const g = gradients[(m * S + s) * C + c]!;
        if (!(g > 0)) continue;
        const small = 1e-6 / (g * g);
        const den = 2 + sum * g + small;
        closestToPole = Math.min(closestToPole, Math.abs(den) / (Math.abs(sum * g) + 2 + small));
        w += g / den;
        derivative -= (g * g) / (den * den);
      }
      weight[c] = w;
      sensitivity[c] = Math.abs(sum * derivative);
    }
    if (S === 1) continue;
    const values = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      let value = 0;
      let bySum = 0;
      let byWeight = 0;
      for (let c = 0; c < C; c++) {
        const a = activations[(b * S + s) * C + c]!;
        value += weight[c]! * a;
        bySum += sensitivity[c]! * Math.abs(a);
        byWeight += Math.abs(weight[c]! * a);
      }
      values[s] = Math.max(value, 0);
      sumNumerator += bySum ** 2;
      weightNumerator += byWeight ** 2;
    }
    let low = Infinity;
    for (const v of values) low = Math.min(low, v);
    for (const v of values) mapNorm += (v - low) ** 2;
  }
  const norm = Math.sqrt(mapNorm);
  const ratio = (numerator: number): number => (numerator === 0 ? 0 : Math.sqrt(numerator) / norm);
  return { sumCondition: ratio(sumNumerator), weightCondition: ratio(weightNumerator), closestToPole };
}

/**
 * The kernel's predicted relative L2 error against float64 (README "Precision"): the map's
 * usual float32 rounding κ_w·2⁻²⁴ plus what is left of S's rounding once S is carried as
 * a float32 pair, κ_S·positions·2⁻⁴⁸. "Well-conditioned" means this is ≤ 1e-6, a tenth of
 * the 1e-5 every method is held to.
 */
export function predictedGradcamppError(k: GradcamppConditioning, positions: number): number {
  return k.weightCondition * F32_UNIT_ROUNDOFF + k.sumCondition * positions * F32_UNIT_ROUNDOFF ** 2;
}
