// Encoders of the pipeline stages: each records one kernel into a CommandBatch and
// returns the buffer it wrote. Sizes are validated by the caller.
import type { CommandBatch } from './gpu/command-batch.js';
import type { FeatureDims, Size2D } from './inputs.js';
import type { ElementwiseProduct } from './methods.js';
import { STORAGE_USAGE } from './gpu/flags.js';

const STORAGE = STORAGE_USAGE;

/** The GPU buffers of one explanation's inputs. */
export interface StageInputs {
  readonly batch: CommandBatch;
  readonly dims: FeatureDims;
  readonly activations: GPUBuffer;
  readonly status: GPUBuffer;
}

function maps(dims: FeatureDims): number {
  return dims.batch * dims.targets;
}

function positions(dims: FeatureDims): number {
  return dims.height * dims.width;
}

/** Channel weights [B·K, C] from gradients, by one of the gradient-weighting kernels. */
export function encodeGradientWeights(
  inputs: StageInputs,
  kernel: 'gradcam_weights' | 'gradcampp_weights' | 'xgradcam_weights',
  gradients: GPUBuffer,
): GPUBuffer {
  const { batch, dims } = inputs;
  const weights = batch.temporary(maps(dims) * dims.channels * 4, STORAGE, 'channel weights');
  const buffers: Record<string, GPUBuffer> = { gradients, weights, status: inputs.status };
  if (kernel !== 'gradcam_weights') buffers['activations'] = inputs.activations;
  batch.run({
    kernel,
    params: { maps: maps(dims), targets: dims.targets, positions: positions(dims), channels: dims.channels },
    buffers,
    workgroups: Math.ceil((maps(dims) * dims.channels) / 64),
  });
  return weights;
}

/** CAM's channel weights [B·K, C]: a column of the dense kernel per target. */
export function encodeCamWeights(inputs: StageInputs, denseKernel: GPUBuffer, targets: GPUBuffer, classes: number): GPUBuffer {
  const { batch, dims } = inputs;
  const weights = batch.temporary(maps(dims) * dims.channels * 4, STORAGE, 'channel weights');
  batch.run({
    kernel: 'cam_weights',
    params: { maps: maps(dims), channels: dims.channels, classes },
    buffers: { dense_kernel: denseKernel, targets, weights, status: inputs.status },
    workgroups: Math.ceil((maps(dims) * dims.channels) / 64),
  });
  return weights;
}

/**
 * Invocations that share one map cell's sum over C channels: about eight channels each,
 * a power of two up to the workgroup's 64. A software GPU pays for every workgroup and
 * barrier, so a small C packs several cells into one workgroup instead of idling lanes.
 */
export function reductionLanes(channels: number): number {
  let lanes = 1;
  while (lanes < 64 && lanes * 2 * 8 <= channels) lanes *= 2;
  return lanes;
}

/** map = ReLU(Σ_c w·A), [B·K, h·w]. */
export function encodeWeightedSum(inputs: StageInputs, weights: GPUBuffer): GPUBuffer {
  const { batch, dims } = inputs;
  const out = batch.temporary(maps(dims) * positions(dims) * 4, STORAGE, 'raw maps');
  const lanes = reductionLanes(dims.channels);
  batch.run({
    kernel: 'weighted_sum_relu',
    params: { maps: maps(dims), targets: dims.targets, positions: positions(dims), channels: dims.channels },
    buffers: { activations: inputs.activations, weights, maps: out, status: inputs.status },
    overrides: { LANES: lanes },
    workgroups: Math.ceil((maps(dims) * positions(dims) * lanes) / 64),
  });
  return out;
}

const PRODUCT_MODES: Readonly<Record<ElementwiseProduct, number>> = { gradient: 0, 'relu-gradient': 1, 'relu-product': 2 };

/** map = ReLU(Σ_c f(G, A)) with f = G·A (HiResCAM), ReLU(G)·A (Layer-CAM) or ReLU(G·A) (element-wise Grad-CAM). */
export function encodeElementwiseSum(inputs: StageInputs, gradients: GPUBuffer, product: ElementwiseProduct): GPUBuffer {
  const { batch, dims } = inputs;
  const out = batch.temporary(maps(dims) * positions(dims) * 4, STORAGE, 'raw maps');
  const lanes = reductionLanes(dims.channels);
  batch.run({
    kernel: 'elementwise_sum_relu',
    params: { maps: maps(dims), targets: dims.targets, positions: positions(dims), channels: dims.channels },
    buffers: { activations: inputs.activations, gradients, maps: out, status: inputs.status },
    overrides: { PRODUCT: PRODUCT_MODES[product], LANES: lanes },
    workgroups: Math.ceil((maps(dims) * positions(dims) * lanes) / 64),
  });
  return out;
}

/** Per-map (min, max), [B·K] vec2. */
export function encodeMinMax(inputs: StageInputs, raw: GPUBuffer): GPUBuffer {
  const { batch, dims } = inputs;
  const ranges = batch.temporary(maps(dims) * 8, STORAGE, 'map ranges');
  batch.run({
    kernel: 'map_minmax',
    params: { maps: maps(dims), positions: positions(dims) },
    buffers: { maps: raw, ranges, status: inputs.status },
    workgroups: maps(dims),
  });
  return ranges;
}

/** (x − min) / (max − min + 1e-7) into `out`. */
export function encodeNormalize(inputs: StageInputs, raw: GPUBuffer, ranges: GPUBuffer, out: GPUBuffer): void {
  const { batch, dims } = inputs;
  batch.run({
    kernel: 'normalize_maps',
    params: { maps: maps(dims), positions: positions(dims) },
    buffers: { maps: raw, ranges, normalized: out },
    workgroups: Math.ceil((maps(dims) * positions(dims)) / 64),
  });
}

/** Bilinear (half-pixel centres) resize of `count` maps from `from` to `to`, into `out`. */
export function encodeUpsample(batch: CommandBatch, count: number, source: GPUBuffer, from: Size2D, to: Size2D, out: GPUBuffer): void {
  batch.run({
    kernel: 'upsample_bilinear',
    params: { maps: count, in_height: from.height, in_width: from.width, out_height: to.height, out_width: to.width },
    buffers: { source, resized: out },
    workgroups: Math.ceil((count * to.height * to.width) / 64),
  });
}

/** Colormap and alpha overlay of [B·K, H, W] heat into packed RGBA8 `out`. */
export function encodeOverlay(
  batch: CommandBatch,
  dims: FeatureDims,
  heat: GPUBuffer,
  lut: GPUBuffer,
  image: { buffer: GPUBuffer; count: number } | null,
  pixels: number,
  alpha: number,
  out: GPUBuffer,
): void {
  batch.run({
    kernel: 'colormap_overlay',
    params: { maps: maps(dims), targets: dims.targets, images: image?.count ?? 1, pixels, alpha },
    // Without an image the binding still needs a buffer; the kernel never reads it.
    buffers: { heat, lut, image: image?.buffer ?? lut, overlay: out },
    overrides: { HAS_IMAGE: image ? 1 : 0 },
    workgroups: Math.ceil((maps(dims) * pixels) / 64),
  });
}
