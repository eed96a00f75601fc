// Encoders of Eigen-CAM's stages: centre (eigen_centre), Gram matrix on the smaller side
// (eigen_gram), power iteration + projection + sign rule + ReLU (eigen_power). Eigen
// smoothing of the other gradient methods runs the same stages on their per-channel terms.
import { STORAGE_USAGE } from './gpu/flags.js';
import { deviceLaneTuning } from './gpu/lane-tuning.js';
import { softwareGroupWidth } from './gpu/software-adapter.js';
import type { FeatureDims } from './inputs.js';
import type { StageInputs } from './stages.js';

/**
 * The GPU power iteration's stopping rule. With δ_t = ‖v_{t+1} − v_t‖₂ and r = δ_t/δ_{t−1}
 * (which estimates λ₂/λ₁), the direction error left is about δ_t·r/(1 − r): stop when that
 * is ≤ EIGEN_TOLERANCE, when δ_t ≤ EIGEN_FLOOR (float32 rounding: v stopped moving), or
 * after EIGEN_MAX_ITERATIONS. The error shrinks as (λ₂/λ₁)^t, so near-equal top
 * eigenvalues (λ₂/λ₁ → 1) may reach the cap with an error of about (λ₂/λ₁)^cap.
 */
export const EIGEN_TOLERANCE = 1e-6;
export const EIGEN_FLOOR = 1e-7;
export const EIGEN_MAX_ITERATIONS = 500;

/** The stopping rule's constants (see EIGEN_TOLERANCE). */
export interface EigenStopping {
  readonly tolerance: number;
  readonly floor: number;
  readonly maxIterations: number;
}

/** The engine's stopping rule. */
export const EIGEN_STOPPING: EigenStopping = { tolerance: EIGEN_TOLERANCE, floor: EIGEN_FLOOR, maxIterations: EIGEN_MAX_ITERATIONS };

/** What the eigen stages write: the raw maps and, for checks, the signed projections and iteration counts. */
export interface EigenOutputs {
  /** ReLU(p), [B·K, S]: the raw maps the post-processing normalises. */
  readonly maps: GPUBuffer;
  /** The signed projections p after the sign rule, [B·K, S]. */
  readonly projections: GPUBuffer;
  /** Power iterations run per map, u32 [B·K]. */
  readonly iterations: GPUBuffer;
}

/** The Gram matrix's side and orientation for maps of `dims`: S×S when S ≤ C, else C×C. */
export function eigenGramSize(dims: Pick<FeatureDims, 'height' | 'width' | 'channels'>): { size: number; byPositions: boolean } {
  const positions = dims.height * dims.width;
  const byPositions = positions <= dims.channels;
  return { size: byPositions ? positions : dims.channels, byPositions };
}

/**
 * What eigen_centre decomposes per map: A ('none': Eigen-CAM), G·A ('gradient': Eigen-Grad-CAM),
 * ReLU(G)·A, ReLU(G·A), or w[m,c]·A ('weights': `factor` holds channel weights [B·K, C]);
 * the last four are eigen smoothing's per-channel terms (see EIGEN_SMOOTH_OPTION).
 */
export type EigenProduct = 'none' | 'gradient' | 'relu-gradient' | 'relu-product' | 'weights';

const EIGEN_PRODUCT_MODES: Readonly<Record<EigenProduct, number>> = { none: 0, gradient: 1, 'relu-gradient': 2, 'relu-product': 3, weights: 4 };

/**
 * Records Eigen-CAM (factor null: Z = A), Eigen-Grad-CAM (Z = G·A) or, with `product`, an
 * eigen-smoothed map of another product (see EigenProduct) for every map. `powerWorkgroup`
 * replaces eigen_power's workgroup size from powerWorkgroupSize (tests run the hardware
 * sizing on a software adapter with it).
 *
 * @example
 * const { maps } = encodeEigenProjection(inputs, null);
 * encodeMinMax(inputs, maps);
 */
export function encodeEigenProjection(
  inputs: StageInputs,
  factor: GPUBuffer | null,
  stopping: EigenStopping = EIGEN_STOPPING,
  product: EigenProduct = factor !== null ? 'gradient' : 'none',
  powerWorkgroup?: number,
): EigenOutputs {
  if ((product === 'none') !== (factor === null)) throw new Error(`eigen_centre: product '${product}' ${factor === null ? 'needs' : 'takes no'} factor buffer`);
  const { batch, dims } = inputs;
  const count = dims.batch * dims.targets;
  const positions = dims.height * dims.width;
  const { size, byPositions } = eigenGramSize(dims);
  const centred = batch.temporary(count * positions * dims.channels * 4, STORAGE_USAGE, 'eigen centred');
  batch.run({
    kernel: 'eigen_centre',
    params: { maps: count, targets: dims.targets, positions, channels: dims.channels, by_positions: byPositions ? 1 : 0 },
    buffers: { activations: inputs.activations, gradients: factor ?? inputs.activations, centred, status: inputs.status },
    overrides: { PRODUCT: EIGEN_PRODUCT_MODES[product] },
    workgroups: Math.ceil((count * dims.channels) / 64),
  });
  const gram = batch.temporary(count * size * size * 4, STORAGE_USAGE, 'eigen gram');
  const blocks = Math.ceil(size / 4);
  const shape = { maps: count, positions, channels: dims.channels, size, by_positions: byPositions ? 1 : 0 };
  batch.run({ kernel: 'eigen_gram', params: shape, buffers: { centred, gram }, workgroups: Math.ceil((count * blocks * blocks) / 64) });
  const outputs: EigenOutputs = {
    maps: batch.temporary(count * positions * 4, STORAGE_USAGE, 'raw maps'),
    projections: batch.temporary(count * positions * 4, STORAGE_USAGE, 'eigen projections'),
    iterations: batch.temporary(count * 4, STORAGE_USAGE, 'eigen iterations'),
  };
  batch.run({
    kernel: 'eigen_power',
    params: { ...shape, max_iterations: stopping.maxIterations, tolerance: stopping.tolerance, floor: stopping.floor },
    buffers: { gram, centred, vectors: batch.temporary(count * 2 * size * 4, STORAGE_USAGE, 'eigen vectors'), ...outputs },
    overrides: { WG: powerWorkgroup ?? powerWorkgroupSize(size, deviceLaneTuning(batch.device).workgroupSize, softwareGroupWidth(batch.device)) },
    workgroups: count,
  });
  return outputs;
}

/**
 * eigen_power's workgroup. On a hardware adapter: one invocation per entry of the
 * n-vector, as a power of two within [32, the device's largest]: each iteration's two
 * reductions cost a barrier per halving for every invocation, so lanes beyond n only add
 * cost (a 64-entry vector in a workgroup of 256 paid 4× the barrier work). On a software
 * adapter (`softwareGroup` > 0, the width of the SIMD group it runs invocations in, see
 * softwareGroupWidth): one such group, since the emulator runs the groups of a workgroup
 * in turn and switches between them at every barrier while the arithmetic costs the same
 * however it is split (SwiftShader, n = 64, 157 iterations: 64 invocations ~150 ms,
 * 32 ~100 ms, 4 ~40–65 ms under load; the sums then add the vector's entries in another
 * order, which moved the projection by ~2e-7 relative).
 *
 * @example
 * powerWorkgroupSize(64, 256); // 64
 * powerWorkgroupSize(64, 256, 4); // 4 (SwiftShader)
 */
export function powerWorkgroupSize(size: number, deviceMaximum: number, softwareGroup = 0): number {
  if (softwareGroup > 0) return Math.min(2 ** Math.ceil(Math.log2(softwareGroup)), deviceMaximum);
  let wg = 32;
  while (wg < size && wg < deviceMaximum) wg *= 2;
  return Math.min(wg, deviceMaximum);
}

/** Bytes of the eigen stages' largest temporaries, for the device-limit check. */
export function eigenBufferSizes(dims: FeatureDims): [string, number][] {
  const count = dims.batch * dims.targets;
  const { size } = eigenGramSize(dims);
  return [
    ['Eigen-CAM centred maps', count * dims.height * dims.width * dims.channels * 4],
    ['Eigen-CAM Gram matrices', count * size * size * 4],
  ];
}
