// Encoders of the faithfulness metrics' GPU stages: map ranks, the perturbed model inputs
// of each kind (written into a batched input buffer), and target scores from logits.
import type { CommandBatch } from './gpu/command-batch.js';
import type { ModelInputDims } from './inputs.js';
import type { FaithfulnessPlan, PerturbationKind } from './faithfulness-plan.js';
import { roadSolverSettings } from './faithfulness-plan.js';

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

function encodeKind(
  batch: CommandBatch,
  kind: PerturbationKind,
  plan: FaithfulnessPlan,
  input: ModelInputDims,
  buffers: PerturbationBuffers,
  range: { local: number; n: number; outFirst: number; pixels: number },
  out: GPUBuffer,
): void {
  const { local, n, outFirst, pixels } = range;
  const options = plan.options;
  switch (kind) {
    case 'multiply':
      batch.run({
        kernel: 'cam_multiply',
        params: { first: local, count: n, out_first: outFirst, pixels, input_channels: input.channels },
        buffers: { input_image: buffers.input, maps: buffers.maps, masked: out },
        workgroups: Math.ceil((n * pixels) / 64),
      });
      return;
    case 'deletion':
    case 'insertion':
      batch.run({
        kernel: 'deletion_insertion',
        params: { first: local, count: n, out_first: outFirst, steps: options.steps, pixels, input_channels: input.channels, baseline: options.baseline },
        buffers: { input_image: buffers.input, ranks: buffers.ranks, masked: out },
        overrides: { MODE: kind === 'deletion' ? 0 : 1 },
        workgroups: Math.ceil((n * pixels) / 64),
      });
      return;
    case 'road': {
      const solver = roadSolverSettings(input.height, input.width);
      batch.run({
        kernel: 'road_impute',
        params: {
          first: local,
          count: n,
          out_first: outFirst,
          height: input.height,
          width: input.width,
          input_channels: input.channels,
          percentiles: options.percentiles.length,
          max_sweeps: solver.maxSweeps,
          seed: options.seed,
          tolerance: solver.tolerance,
          noise: options.noise,
          omega: solver.omega,
        },
        buffers: { input_image: buffers.input, maps: buffers.maps, ranks: buffers.ranks, positions: buffers.positions, masked: out },
        workgroups: n,
      });
      return;
    }
  }
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
