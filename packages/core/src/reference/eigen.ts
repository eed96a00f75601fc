// Float64 reference of Eigen-CAM and Eigen-Grad-CAM: the projection of the centred
// activations (or gradients × activations) onto their first principal component.
import type { FeatureDims } from '../inputs.js';

type Values = ArrayLike<number>;

/** The float64 power iteration's stopping rule: ‖v_{t+1} − v_t‖₂ ≤ 1e-12, at most 100 000 iterations. */
export const REFERENCE_EIGEN_TOLERANCE = 1e-12;
export const REFERENCE_EIGEN_MAX_ITERATIONS = 100_000;

/** Per map: the signed projection [S] (sign rule applied), λ₁ and whether the iteration converged. */
export interface EigenProjections {
  /** p = X·v₁ with the sign making max ≥ −min, [B·K, S]. */
  readonly projections: Float64Array;
  /** The top eigenvalue of XᵀX (= σ₁²) per map. */
  readonly lambdas: Float64Array;
  /** Float64 power iterations per map. */
  readonly iterations: Uint32Array;
  /** False for a map whose iteration hit the cap (λ₁ ≈ λ₂). */
  readonly converged: readonly boolean[];
  /** λ₂/λ₁ per map when asked for ({ gaps: true }), else null. */
  readonly gapRatios: Float64Array | null;
}

/** Centred X [S, C] of map m: Z − mean over positions, Z = A or G·A. */
export function centredMatrix(activations: Values, gradients: Values | null, d: FeatureDims, m: number): Float64Array {
  const S = d.height * d.width;
  const C = d.channels;
  const b = Math.floor(m / d.targets);
  const X = new Float64Array(S * C);
  for (let s = 0; s < S; s++) {
    for (let c = 0; c < C; c++) {
      const a = activations[(b * S + s) * C + c]!;
      X[s * C + c] = gradients ? gradients[(m * S + s) * C + c]! * a : a;
    }
  }
  for (let c = 0; c < C; c++) {
    let sum = 0;
    for (let s = 0; s < S; s++) sum += X[s * C + c]!;
    const mean = sum / S;
    for (let s = 0; s < S; s++) X[s * C + c]! -= mean;
  }
  return X;
}

/** The Gram matrix on the smaller side of X [S, C]: X·Xᵀ when S ≤ C, else Xᵀ·X. */
export function gramMatrix(X: Float64Array, S: number, C: number): { gram: Float64Array; size: number; byPositions: boolean } {
  const byPositions = S <= C;
  const n = byPositions ? S : C;
  const R = byPositions ? C : S;
  const at = byPositions ? (r: number, i: number) => X[i * C + r]! : (r: number, i: number) => X[r * C + i]!;
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let r = 0; r < R; r++) sum += at(r, i) * at(r, j);
      gram[i * n + j] = sum;
      gram[j * n + i] = sum;
    }
  }
  return { gram, size: n, byPositions };
}

function multiply(gram: Float64Array, n: number, v: Float64Array): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += gram[i * n + j]! * v[j]!;
    w[i] = sum;
  }
  return w;
}

function norm(v: Float64Array): number {
  let sum = 0;
  for (const x of v) sum += x * x;
  return Math.sqrt(sum);
}

/**
 * The top eigenpair of a symmetric positive semi-definite matrix by float64 power
 * iteration from K·r (r a fixed ±1 pattern, unlike the GPU's start).
 *
 * @example
 * const { vector, value } = topEigenpair(new Float64Array([2, 0, 0, 1]), 2); // value 2
 */
export function topEigenpair(gram: Float64Array, n: number): { vector: Float64Array; value: number; iterations: number; converged: boolean } {
  const r = new Float64Array(n).map((_, i) => (((i * 2654435761) >>> 7) & 1 ? 1 : -1) * (1 + (i % 7) / 7));
  let v = multiply(gram, n, r);
  let length = norm(v);
  if (!(length > 0)) return { vector: new Float64Array(n), value: 0, iterations: 0, converged: true };
  v = v.map((x) => x / length);
  for (let t = 1; t <= REFERENCE_EIGEN_MAX_ITERATIONS; t++) {
    const w = multiply(gram, n, v);
    length = norm(w);
    if (!(length > 0)) return { vector: new Float64Array(n), value: 0, iterations: t, converged: true };
    let change = 0;
    for (let i = 0; i < n; i++) {
      w[i]! /= length;
      change += (w[i]! - v[i]!) ** 2;
    }
    v = w;
    if (Math.sqrt(change) <= REFERENCE_EIGEN_TOLERANCE) return { vector: v, value: length, iterations: t, converged: true };
  }
  return { vector: v, value: length, iterations: REFERENCE_EIGEN_MAX_ITERATIONS, converged: false };
}

/** λ₂/λ₁ of a Gram matrix whose top eigenpair is known (λ₂ by power iteration on K − λ₁v₁v₁ᵀ). */
function gapRatio(gram: Float64Array, n: number, top: { vector: Float64Array; value: number }): number {
  if (top.value === 0) return 0;
  const deflated = gram.map((k, index) => k - top.value * top.vector[Math.floor(index / n)]! * top.vector[index % n]!);
  return topEigenpair(deflated, n).value / top.value;
}

/**
 * λ₂/λ₁ of each map's Gram matrix: how fast the GPU's power iteration converges on it.
 * For tests and reports.
 *
 * @example
 * const ratios = eigenGapRatios(A, null, dims); // [0.12, ...]
 */
export function eigenGapRatios(activations: Values, gradients: Values | null, d: FeatureDims): Float64Array {
  return eigenProjections(activations, gradients, d, { gaps: true }).gapRatios!;
}

/**
 * Eigen-CAM (gradients null) or Eigen-Grad-CAM projections in float64, with the sign
 * rule |max| ≥ |min|.
 *
 * @example
 * const { projections, gapRatios } = eigenProjections(A, null, { batch: 1, height: 7, width: 7, channels: 512, targets: 1 }, { gaps: true });
 */
export function eigenProjections(activations: Values, gradients: Values | null, d: FeatureDims, options: { readonly gaps?: boolean } = {}): EigenProjections {
  const S = d.height * d.width;
  const C = d.channels;
  const count = d.batch * d.targets;
  const projections = new Float64Array(count * S);
  const lambdas = new Float64Array(count);
  const iterations = new Uint32Array(count);
  const converged: boolean[] = [];
  const gapRatios = options.gaps ? new Float64Array(count) : null;
  for (let m = 0; m < count; m++) {
    const X = centredMatrix(activations, gradients, d, m);
    const { gram, size: n, byPositions } = gramMatrix(X, S, C);
    const top = topEigenpair(gram, n);
    if (gapRatios) gapRatios[m] = gapRatio(gram, n, top);
    const p = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      if (byPositions) p[s] = Math.sqrt(top.value) * top.vector[s]!;
      else for (let c = 0; c < C; c++) p[s]! += X[s * C + c]! * top.vector[c]!;
    }
    let high = -Infinity;
    let low = Infinity;
    for (const x of p) {
      high = Math.max(high, x);
      low = Math.min(low, x);
    }
    const sign = high < -low ? -1 : 1;
    p.forEach((x, s) => (projections[m * S + s] = sign * x));
    lambdas[m] = top.value;
    iterations[m] = top.iterations;
    converged.push(top.converged);
  }
  return { projections, lambdas, iterations, converged, gapRatios };
}
