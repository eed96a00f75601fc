// Encoders of the faithfulness metrics' GPU stages: map ranks, the perturbed model inputs
// of each kind (written into a batched input buffer), and target scores from logits.
import type { CommandBatch } from './gpu/command-batch.js';
import type { ModelInputDims } from './inputs.js';
import type { FaithfulnessPlan, PerturbationKind } from './faithfulness-plan.js';
import { roadSolverSettings } from './faithfulness-plan.js';
import { DeviceLimitError } from './errors.js';
import { BufferUsage } from './gpu/flags.js';
import { checkBufferLimits } from './output-plan.js';
import { softwareGroupWidth } from './gpu/software-adapter.js';
import type { KernelName } from '@wgcam/shaders';
import type { OverrideValues } from './gpu/pipeline-cache.js';

/** The buffers the perturbation kernels read. */
export interface PerturbationBuffers {
  /** Model input [B, H, W, Cin]. */
  readonly input: GPUBuffer;
  /** Maps [B, H, W] in [0, 1]. */
  readonly maps: GPUBuffer;
  /** map_ranks output [B·H·W] vec2<u32>. */
  readonly ranks: GPUBuffer;
  /** ROAD percentile positions [2·P] vec2<f32> (roadPositions). */
  readonly positions: GPUBuffer;
}

/** (greater, equal) counts of every map value within its map (map_ranks). */
export function encodeMapRanks(batch: CommandBatch, maps: GPUBuffer, count: number, pixels: number, out: GPUBuffer): void {
  batch.run({
    kernel: 'map_ranks',
    params: { maps: count, pixels },
    buffers: { values: maps, ranks: out },
    workgroups: count * Math.ceil(pixels / 256),
  });
}

/**
 * Writes plan entries first..first+count−1 (which may span kinds) into `out` as
 * [count, H, W, Cin], one dispatch per kind they cover.
 */
export function encodePerturbations(
  batch: CommandBatch,
  plan: FaithfulnessPlan,
  input: ModelInputDims,
  buffers: PerturbationBuffers,
  first: number,
  count: number,
  out: GPUBuffer,
): void {
  const pixels = input.height * input.width;
  const last = first + count;
  for (const segment of plan.segments) {
    const from = Math.max(first, segment.start);
    const to = Math.min(last, segment.start + segment.count);
    if (from >= to) continue;
    const local = from - segment.start;
    const n = to - from;
    const outFirst = from - first;
    encodeKind(batch, segment.kind, plan, input, buffers, { local, n, outFirst, pixels }, out);
  }
}

/** Entries local..local+n−1 of one segment, written from entry outFirst of the output; pixels per input. */
interface SegmentRange {
  readonly local: number;
  readonly n: number;
  readonly outFirst: number;
  readonly pixels: number;
}

/** The kernel and override constants that write perturbed inputs of one kind. */
export interface PerturbationPipeline {
  readonly kernel: KernelName;
  readonly overrides: OverrideValues;
}

/**
 * What writing entries of `kind` runs (encodeKind dispatches exactly this), so a session
 * can compile it ahead of its first use.
 *
 * @example
 * perturbationPipeline('road', 32 * 32, device); // { kernel: 'road_impute', overrides: { LANES: 16 } }
 */
export function perturbationPipeline(kind: PerturbationKind, pixels: number, device: GPUDevice): PerturbationPipeline {
  switch (kind) {
    case 'multiply':
      return { kernel: 'cam_multiply', overrides: {} };
    case 'deletion':
    case 'insertion':
      return { kernel: 'deletion_insertion', overrides: { MODE: kind === 'deletion' ? 0 : 1 } };
    case 'road':
      return { kernel: 'road_impute', overrides: { LANES: roadLanes(pixels, device) } };
  }
}

function encodeKind(
  batch: CommandBatch,
  kind: PerturbationKind,
  plan: FaithfulnessPlan,
  input: ModelInputDims,
  buffers: PerturbationBuffers,
  range: SegmentRange,
  out: GPUBuffer,
): void {
  const { local, n, outFirst, pixels } = range;
  const options = plan.options;
  switch (kind) {
    case 'multiply':
      batch.run({
        ...perturbationPipeline(kind, pixels, batch.device),
        params: { first: local, count: n, out_first: outFirst, pixels, input_channels: input.channels },
        buffers: { input_image: buffers.input, maps: buffers.maps, masked: out },
        workgroups: Math.ceil((n * pixels) / 64),
      });
      return;
    case 'deletion':
    case 'insertion':
      batch.run({
        ...perturbationPipeline(kind, pixels, batch.device),
        params: { first: local, count: n, out_first: outFirst, steps: options.steps, pixels, input_channels: input.channels, baseline: options.baseline },
        buffers: { input_image: buffers.input, ranks: buffers.ranks, masked: out },
        workgroups: Math.ceil((n * pixels) / 64),
      });
      return;
    case 'road':
      encodeRoad(batch, plan, input, buffers, range, out);
      return;
  }
}

/** Scratch bytes road_impute may hold at once; more entries run in further dispatches. */
const ROAD_SCRATCH_BYTES = 64 * 1024 * 1024;

/**
 * road_impute's scratch per perturbed input, in vec4 cells (16 bytes): on level 0's grid
 * padded by one cell per side (G = (H+2)·(W+2)) x, p, r, z, t and the 3-cell stencil, and
 * q per pixel; on each coarser level of the multigrid (⌈H/2⌉×⌈W/2⌉, … down to 1×1, each
 * padded) f, e, t and the 3-cell stencil. The kernel lays its levels out in the same order.
 *
 * @example
 * roadScratchCells(1, 1); // 8·9 + 1 = 73 (one level)
 */
export function roadScratchCells(height: number, width: number): number {
  let cells = 8 * (height + 2) * (width + 2) + height * width;
  let h = height;
  let w = width;
  while (h > 1 || w > 1) {
    h = Math.ceil(h / 2);
    w = Math.ceil(w / 2);
    cells += 6 * (h + 2) * (w + 2);
  }
  return cells;
}

/**
 * road_impute over entries local..local+n−1 of the ROAD segment. Each entry needs its own
 * solver scratch (roadScratchCells, 16 bytes each) and its removed-pixel list and flags
 * (4·(H·W + (H+2)·(W+2)) bytes): as many entries as fit in ROAD_SCRATCH_BYTES (and the
 * device's binding limit) share one dispatch, and the dispatches reuse the scratch.
 */
function encodeRoad(
  batch: CommandBatch,
  plan: FaithfulnessPlan,
  input: ModelInputDims,
  buffers: PerturbationBuffers,
  range: SegmentRange,
  out: GPUBuffer,
): void {
  const { local, n, outFirst, pixels } = range;
  const options = plan.options;
  const solver = roadSolverSettings(input.height, input.width);
  const cells = (input.height + 2) * (input.width + 2);
  // The kernel packs a padded cell index into 28 bits.
  if (cells >= 2 ** 28) throw new DeviceLimitError(`ROAD's imputation handles inputs up to 2^28 padded pixels; this input is ${input.height}×${input.width}`);
  const entrySize = roadScratchCells(input.height, input.width);
  const scratchPerEntry = 16 * entrySize;
  const listPerEntry = 4 * (pixels + cells);
  const limit = Math.min(ROAD_SCRATCH_BYTES, batch.device.limits.maxStorageBufferBindingSize, batch.device.limits.maxBufferSize);
  const slots = Math.min(n, Math.max(1, Math.floor(limit / scratchPerEntry)));
  checkBufferLimits(batch.device, [["ROAD's solver scratch for one perturbed input", scratchPerEntry]]);
  const scratch = batch.temporary(slots * scratchPerEntry, BufferUsage.STORAGE, 'road solver scratch');
  const removed = batch.temporary(slots * listPerEntry, BufferUsage.STORAGE, 'road removed pixels');
  for (let done = 0; done < n; done += slots) {
    const count = Math.min(slots, n - done);
    batch.run({
      ...perturbationPipeline('road', pixels, batch.device),
      params: {
        first: local + done,
        count,
        out_first: outFirst + done,
        height: input.height,
        width: input.width,
        input_channels: input.channels,
        percentiles: options.percentiles.length,
        max_iterations: solver.maxIterations,
        seed: options.seed,
        entry_size: entrySize,
        tolerance: solver.tolerance,
        drop: solver.drop,
        noise: options.noise,
      },
      buffers: { input_image: buffers.input, maps: buffers.maps, ranks: buffers.ranks, positions: buffers.positions, masked: out, scratch, removed },
      workgroups: count,
    });
  }
}

/** road_impute's most invocations per workgroup on a software adapter (see roadLanes). */
export const SOFTWARE_ROAD_LANES = 64;

/**
 * road_impute's invocations per entry: about 64 pixels each, a power of two from 16 to
 * 256 (or the device's largest), so that large images keep a hardware GPU's lanes busy.
 * On a software adapter at most SOFTWARE_ROAD_LANES: there the arithmetic costs the same
 * however it is split and each barrier is paid per 4-wide group of invocations, while the
 * compile grows with the workgroup arrays (SwiftShader, idle: 1.4–1.6 s of CPU at 16–64
 * lanes, 3.3–3.5 s at 256), and at 96×96 (18 inputs, bench/src/quality/road-solver.ts)
 * 256 lanes ran slowest (3.6 s against 1.8–2.2 s at 16–64). At 32×32, 4 to 64 lanes
 * measure alike; `wgcam metrics` on a 224×224 model took as long capped as not.
 *
 * @example
 * roadLanes(32 * 32, device); // 16
 * roadLanes(224 * 224, device); // 256 on a hardware GPU, 64 on a software adapter
 */
export function roadLanes(pixels: number, device: GPUDevice): number {
  const deviceLargest = Math.min(256, device.limits.maxComputeInvocationsPerWorkgroup, device.limits.maxComputeWorkgroupSizeX);
  const largest = softwareGroupWidth(device) > 0 ? Math.min(SOFTWARE_ROAD_LANES, deviceLargest) : deviceLargest;
  let lanes = 16;
  while (lanes * 64 < pixels && lanes < largest) lanes *= 2;
  return Math.min(lanes, largest);
}

/** Target scores of entries first..first+count−1 from their logits [count, classes] (metric_scores). */
export function encodeMetricScores(
  batch: CommandBatch,
  buffers: { logits: GPUBuffer; targets: GPUBuffer; entryImages: GPUBuffer; scores: GPUBuffer },
  classes: number,
  first: number,
  count: number,
  score: 'probability' | 'logit',
): void {
  batch.run({
    kernel: 'metric_scores',
    params: { first, count, classes },
    buffers: { logits: buffers.logits, target_classes: buffers.targets, entry_images: buffers.entryImages, scores: buffers.scores },
    overrides: { SCORE: score === 'probability' ? 0 : 1 },
    workgroups: Math.ceil(count / 64),
  });
}
