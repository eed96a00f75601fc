// Encoders of the pipeline stages: each records one kernel into a CommandBatch and
// returns the buffer it wrote. Sizes are validated by the caller.
import type { CommandBatch } from './gpu/command-batch.js';
import type { FeatureDims, Size2D } from './inputs.js';
import type { ElementwiseProduct } from './methods.js';
import { STORAGE_USAGE } from './gpu/flags.js';
import { deviceLaneTuning, reductionLanesFor, workgroupSizeFor, type LaneTuning } from './gpu/lane-tuning.js';
import { softwareGroupWidth } from './gpu/software-adapter.js';

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

/**
 * Channel weights [B·K, C] from gradients, by one of the gradient-weighting kernels: a
 * workgroup per block of channels of one map (Grad-CAM) or one image (Grad-CAM++ and
 * XGrad-CAM, whose Σ_s A is reduced once and shared by the image's K targets), with
 * `lanes` invocations per channel (Grad-CAM: per quad of channels when C % 4 = 0)
 * splitting its positions (from the device: deviceLaneTuning; Grad-CAM's: gradcamLanes).
 * `software` (default: whether the device is a software adapter) is a parameter so that
 * tests can run the hardware split on a software adapter.
 */
export function encodeGradientWeights(
  inputs: StageInputs,
  kernel: 'gradcam_weights' | 'gradcampp_weights' | 'xgradcam_weights',
  gradients: GPUBuffer,
  software = softwareGroupWidth(inputs.batch.device) > 0,
): GPUBuffer {
  const { batch, dims } = inputs;
  const weights = batch.temporary(maps(dims) * dims.channels * 4, STORAGE, 'channel weights');
  const buffers: Record<string, GPUBuffer> = { gradients, weights, status: inputs.status };
  if (kernel !== 'gradcam_weights') buffers['activations'] = inputs.activations;
  // Grad-CAM's kernel takes whole quads of channels, read through a vec4 view of the gradients.
  const quads = kernel === 'gradcam_weights' && dims.channels % 4 === 0;
  if (kernel === 'gradcam_weights') Object.assign(buffers, quadViews(batch, dims, { gradient_quads: gradients }));
  const tuning = deviceLaneTuning(batch.device);
  const lanes = kernel === 'gradcam_weights' ? gradcamLanes(positions(dims), tuning, software) : reductionLanesFor(positions(dims), tuning);
  const units = kernel === 'gradcam_weights' ? maps(dims) : dims.batch;
  const channelUnits = quads ? dims.channels / 4 : dims.channels;
  const workgroupSize = workgroupSizeFor(units * channelUnits * lanes, lanes, tuning);
  const blocks = Math.ceil(channelUnits / (workgroupSize / lanes));
  const sizes = { positions: positions(dims), channels: dims.channels };
  batch.run({
    kernel: tuning.subgroups ? `${kernel}_subgroups` : kernel,
    params: kernel === 'gradcam_weights' ? { maps: maps(dims), ...sizes } : { images: dims.batch, targets: dims.targets, ...sizes },
    buffers,
    overrides: kernel === 'gradcam_weights' ? { WG: workgroupSize, LANES: lanes, QUADS: quads ? 1 : 0 } : { WG: workgroupSize, LANES: lanes },
    workgroups: units * blocks,
  });
  return weights;
}

/**
 * The bindings of a kernel's vec4 views of its channel-major buffers (`views`: binding name →
 * buffer): the buffers themselves when C % 4 = 0 (the kernel's QUADS), else one 16-byte
 * spare for all of them, which the kernel never reads (a buffer smaller than a vec4 would
 * not bind as one).
 *
 * @example
 * const buffers = { gradients, weights, status, ...quadViews(batch, dims, { gradient_quads: gradients }) };
 */
function quadViews(batch: CommandBatch, dims: FeatureDims, views: Readonly<Record<string, GPUBuffer>>): Record<string, GPUBuffer> {
  if (dims.channels % 4 === 0) return { ...views };
  const spare = batch.temporary(16, STORAGE, 'no quads');
  return Object.fromEntries(Object.keys(views).map((name) => [name, spare]));
}

/**
 * Lanes per channel quad of Grad-CAM's weights: reductionLanesFor(positions) on a hardware
 * GPU, 1 on a software adapter. An emulator runs a workgroup's invocations on one core a
 * SIMD group at a time, so lanes sharing a channel add invocations and shuffles without
 * adding parallelism; with one lane the SIMD group holds four channel quads instead
 * (SwiftShader, 7×7×2048, workgroups of 32, 20 dispatches alternated per round: median
 * 3.2 ms CPU per dispatch at 4 lanes, 2.2 at 2, 1.8 at 1).
 *
 * @example
 * gradcamLanes(49, deviceLaneTuning(device), false); // 4 with subgroups of 4 or more
 */
export function gradcamLanes(positionCount: number, tuning: LaneTuning, software: boolean): number {
  return software ? 1 : reductionLanesFor(positionCount, tuning);
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
 * How a map kernel splits its cells' sums over C channels (`items` terms, C or C/4 quads)
 * on `batch`'s device: `lanes` invocations per (map, position) cell (about ITEMS_PER_LANE terms each, at most the
 * device's smallest subgroup with subgroups, else the workgroup), workgroupSize / lanes
 * cells per workgroup.
 */
function mapReduction(batch: CommandBatch, dims: FeatureDims, kernel: 'weighted_sum_relu' | 'elementwise_sum_relu', items = dims.channels) {
  const tuning = deviceLaneTuning(batch.device);
  const lanes = reductionLanesFor(items, tuning);
  const workgroupSize = workgroupSizeFor(maps(dims) * positions(dims) * lanes, lanes, tuning);
  return {
    kernel: tuning.subgroups ? (`${kernel}_subgroups` as const) : kernel,
    lanes,
    workgroupSize,
    workgroups: Math.ceil((maps(dims) * positions(dims)) / (workgroupSize / lanes)),
  };
}

/** map = ReLU(Σ_c w·A), [B·K, h·w]. */
export function encodeWeightedSum(inputs: StageInputs, weights: GPUBuffer): GPUBuffer {
  const { batch, dims } = inputs;
  const out = batch.temporary(maps(dims) * positions(dims) * 4, STORAGE, 'raw maps');
  // Whole quads of channels: the lanes stride over them, read through vec4 views of the same buffers.
  const quads = dims.channels % 4 === 0;
  const split = mapReduction(batch, dims, 'weighted_sum_relu', quads ? dims.channels / 4 : dims.channels);
  batch.run({
    kernel: split.kernel,
    params: { maps: maps(dims), targets: dims.targets, positions: positions(dims), channels: dims.channels },
    buffers: {
      activations: inputs.activations,
      weights,
      maps: out,
      status: inputs.status,
      ...quadViews(batch, dims, { activation_quads: inputs.activations, weight_quads: weights }),
    },
    overrides: { WG: split.workgroupSize, LANES: split.lanes, QUADS: quads ? 1 : 0 },
    workgroups: split.workgroups,
  });
  return out;
}

const PRODUCT_MODES: Readonly<Record<ElementwiseProduct, number>> = { gradient: 0, 'relu-gradient': 1, 'relu-product': 2 };

/** map = ReLU(Σ_c f(G, A)) with f = G·A (HiResCAM), ReLU(G)·A (Layer-CAM) or ReLU(G·A) (element-wise Grad-CAM). */
export function encodeElementwiseSum(inputs: StageInputs, gradients: GPUBuffer, product: ElementwiseProduct): GPUBuffer {
  const { batch, dims } = inputs;
  const out = batch.temporary(maps(dims) * positions(dims) * 4, STORAGE, 'raw maps');
  const split = mapReduction(batch, dims, 'elementwise_sum_relu');
  batch.run({
    kernel: split.kernel,
    params: { maps: maps(dims), targets: dims.targets, positions: positions(dims), channels: dims.channels },
    buffers: { activations: inputs.activations, gradients, maps: out, status: inputs.status },
    overrides: { PRODUCT: PRODUCT_MODES[product], WG: split.workgroupSize, LANES: split.lanes },
    workgroups: split.workgroups,
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

/**
 * Per-map (min, max) of the raw maps resized to each of `sizes` (one or two), [sizes·B·K]
 * vec2: the ranges of normalisation at output resolution. One workgroup per (size, map) of
 * smallGroupSize invocations; `software` (default: whether the device is a software
 * adapter) is a parameter so that tests run both widths on a software adapter.
 */
export function encodeResizedMinMax(
  inputs: StageInputs,
  raw: GPUBuffer,
  sizes: readonly Size2D[],
  software = softwareGroupWidth(inputs.batch.device) > 0,
): GPUBuffer {
  const { batch, dims } = inputs;
  const [first, second] = sizes;
  if (!first || sizes.length > 2) throw new Error('resized_minmax takes one or two output sizes');
  const ranges = batch.temporary(maps(dims) * sizes.length * 8, STORAGE, 'map ranges');
  batch.run({
    kernel: 'resized_minmax',
    params: {
      maps: maps(dims),
      in_height: dims.height,
      in_width: dims.width,
      height0: first.height,
      width0: first.width,
      height1: second?.height ?? 0,
      width1: second?.width ?? 0,
    },
    buffers: { maps: raw, ranges, status: inputs.status },
    overrides: { WG: smallGroupSize(batch.device, software) },
    workgroups: maps(dims) * sizes.length,
  });
  return ranges;
}

/** The outputs render_maps writes and what it draws them with. */
export interface RenderTargets {
  /** Float heatmaps [B·K, H, W], or null. */
  readonly heatmap: { readonly buffer: GPUBuffer; readonly size: Size2D } | null;
  /** Packed RGBA8 overlays [B·K, H', W'], or null. */
  readonly overlay: {
    readonly buffer: GPUBuffer;
    readonly size: Size2D;
    readonly lut: GPUBuffer;
    readonly image: { readonly buffer: GPUBuffer; readonly count: number } | null;
    readonly alpha: number;
  } | null;
  /** Index of the overlay's first range in `ranges` (0 when it shares the heatmap's). */
  readonly overlayRanges: number;
}

/**
 * Resize, normalise, heatmap, colormap and overlay of raw maps [B·K, h·w] in one dispatch.
 * `ranges` come from encodeMinMax (feature resolution) or encodeResizedMinMax (output).
 * `software` (default: whether the device is a software adapter) picks the row width
 * (smallGroupSize); tests pass false to run a hardware GPU's width on a software one.
 */
export function encodeRender(
  inputs: StageInputs,
  raw: GPUBuffer,
  ranges: GPUBuffer,
  targets: RenderTargets,
  software = softwareGroupWidth(inputs.batch.device) > 0,
): void {
  const { batch, dims } = inputs;
  const { heatmap, overlay } = targets;
  const shared = heatmap !== null && overlay !== null && heatmap.size.height === overlay.size.height && heatmap.size.width === overlay.size.width;
  const heatSize = heatmap?.size ?? { height: 0, width: 0 };
  const overlaySize = overlay ? overlay.size : { height: 0, width: 0 };
  // Absent outputs still need distinct buffers bound (two writable bindings must not alias).
  const spare = (label: string, bytes = 16): GPUBuffer => batch.temporary(bytes, STORAGE, label);
  const lut = overlay?.lut ?? spare('no colormap', 256 * 16);
  const rows = maps(dims) * (heatSize.height + (shared ? 0 : overlaySize.height));
  batch.run({
    kernel: 'render_maps',
    params: {
      maps: maps(dims),
      targets: dims.targets,
      images: overlay?.image?.count ?? 1,
      in_height: dims.height,
      in_width: dims.width,
      heat_height: heatSize.height,
      heat_width: heatSize.width,
      overlay_height: overlaySize.height,
      overlay_width: overlaySize.width,
      both: shared ? 1 : 0,
      overlay_ranges: targets.overlayRanges,
      alpha: overlay?.alpha ?? 0.5,
    },
    // Without an image the binding still needs a buffer; the kernel never reads it.
    buffers: {
      maps: raw,
      ranges,
      lut,
      image: overlay?.image?.buffer ?? lut,
      heatmap: heatmap?.buffer ?? spare('no heatmap'),
      overlay: overlay?.buffer ?? spare('no overlay'),
    },
    overrides: { HAS_IMAGE: overlay?.image ? 1 : 0, WG: smallGroupSize(batch.device, software) },
    workgroups: rows,
  });
}

/** Invocations of a small workgroup on a hardware GPU: a render_maps row of 224 pixels in 4 steps, a range in 6 halvings. */
const SMALL_GROUP = 64;

/**
 * The workgroup size of the kernels whose workgroups each take a small piece of work (a
 * render_maps row, a resized_minmax range): SMALL_GROUP on a hardware GPU (within its
 * limits), one SIMD group on a software adapter (its width rounded up to a power of two).
 * An emulator runs a workgroup one SIMD group at a time, pays a setup per invocation and
 * switches between the groups at every barrier, so more invocations only cost more
 * (SwiftShader, 224² heatmap + overlay, 20 dispatches alternated per round: render_maps
 * 6.2 ms CPU per dispatch at 4 invocations, 6.7 at 8, 6.9 at 16, 7.9 at 32, 9.1 at 64;
 * resized_minmax, 7×7 → 224²: ~0.2 ms at 4, ~1.0 ms at 64).
 */
function smallGroupSize(device: GPUDevice, software: boolean): number {
  const largest = deviceLaneTuning(device).workgroupSize;
  return Math.min(software ? 2 ** Math.ceil(Math.log2(softwareGroupWidth(device) || 4)) : SMALL_GROUP, largest);
}
