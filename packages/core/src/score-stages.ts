// Encoders of the Score-CAM family's GPU stages (Score-CAM and its variants, Faster
// Score-CAM, SS-CAM, IS-CAM, Ablation-CAM): mask ranges, channel choice, masked or
// ablated batches, per-pass scores and the channel weights. The session and the lower
// API (engine.compute with given scores) record the same stages.
import type { CommandBatch } from './gpu/command-batch.js';
import { STORAGE_USAGE } from './gpu/flags.js';
import type { FeatureDims, Size2D } from './inputs.js';
import { maskedChannels, type ScorePlan } from './score-plan.js';
import type { ModelInputDims } from './inputs.js';

/** Allocates a buffer that outlives the current batch (session) or only the batch (lower API). */
export type Allocate = (bytes: number, label: string) => GPUBuffer;

/** A buffer holding `data`, written before the batch runs. */
export type Upload = (data: Uint32Array, label: string) => GPUBuffer;

/** The masked channels of each image on the GPU: selected [B·N] and rank_of [B·C]. */
export interface SelectionBuffers {
  readonly perImage: number;
  readonly selected: GPUBuffer;
  readonly rankOf: GPUBuffer;
}

const SCORING = { probability: 0, logit: 1, baseline: 2, drop: 3 } as const;

/** Channel ranges over the plan's grid, [B·C] vec2 (score_ranges). */
export function encodeScoreRanges(batch: CommandBatch, dims: FeatureDims, plan: ScorePlan, activations: GPUBuffer, inputSize: Size2D, status: GPUBuffer, out: GPUBuffer): void {
  const grid = plan.grid === 'feature' ? { height: dims.height, width: dims.width } : inputSize;
  batch.run({
    kernel: 'score_ranges',
    params: { pairs: dims.batch * dims.channels, in_height: dims.height, in_width: dims.width, channels: dims.channels, out_height: grid.height, out_width: grid.width },
    buffers: { activations, ranges: out, status },
    overrides: { ALIGN_CORNERS: plan.grid === 'aligned' ? 1 : 0 },
    workgroups: dims.batch * dims.channels,
  });
}

/**
 * Every channel in order (uploaded identity), or for Faster Score-CAM the N of largest
 * spatial variance (channel_variance, top_channels).
 */
export function encodeChannelSelection(batch: CommandBatch, dims: FeatureDims, plan: ScorePlan, activations: GPUBuffer, allocate: Allocate, upload: Upload): SelectionBuffers {
  const C = dims.channels;
  const N = maskedChannels(plan, C);
  const pairs = dims.batch * C;
  if (plan.maxChannels === null) {
    // Pass r masks channel r % C of image r / C: both maps are the identity within an image.
    const identity = Uint32Array.from({ length: pairs }, (_, q) => q % C);
    const order = upload(identity, 'channel order');
    return { perImage: N, selected: order, rankOf: order };
  }
  const selected = allocate(dims.batch * N * 4, 'selected channels');
  const rankOf = allocate(pairs * 4, 'channel ranks');
  const variances = batch.temporary(pairs * 4, STORAGE_USAGE, 'channel variances');
  batch.run({
    kernel: 'channel_variance',
    params: { pairs, positions: dims.height * dims.width, channels: C },
    buffers: { activations, variances },
    workgroups: Math.ceil(pairs / 64),
  });
  batch.run({
    kernel: 'top_channels',
    params: { pairs, channels: C, keep: N },
    buffers: { variances, selected, rank_of: rankOf },
    workgroups: Math.ceil(pairs / 64),
  });
  return { perImage: N, selected, rankOf };
}

/** Masked inputs of passes first..first+count−1 into `out`, [count, H, W, Cin] (score_masks). */
export function encodeScoreFamilyMasks(
  batch: CommandBatch,
  dims: FeatureDims,
  plan: ScorePlan,
  buffers: { activations: GPUBuffer; ranges: GPUBuffer; selection: SelectionBuffers; input: GPUBuffer; out: GPUBuffer },
  input: ModelInputDims,
  first: number,
  count: number,
): void {
  const N = buffers.selection.perImage;
  batch.run({
    kernel: 'score_masks',
    params: {
      first,
      count,
      masked: dims.batch * N,
      selected_per_image: N,
      in_height: dims.height,
      in_width: dims.width,
      channels: dims.channels,
      out_height: input.height,
      out_width: input.width,
      input_channels: input.channels,
      steps: plan.samples,
      seed: plan.seed,
      epsilon: plan.epsilon,
      noise_std: plan.noiseStd,
    },
    buffers: { activations: buffers.activations, ranges: buffers.ranges, selected: buffers.selection.selected, input_image: buffers.input, masked_out: buffers.out },
    overrides: { ALIGN_CORNERS: plan.grid === 'aligned' ? 1 : 0, INTEGRATED: plan.integrated ? 1 : 0 },
    workgroups: Math.ceil((count * input.height * input.width) / 64),
  });
}

/** Ablation-CAM's head inputs of passes first..first+count−1 into `out`, [count, h, w, C]. */
export function encodeAblationInputs(batch: CommandBatch, dims: FeatureDims, activations: GPUBuffer, out: GPUBuffer, first: number, count: number): void {
  const positions = dims.height * dims.width;
  batch.run({
    kernel: 'ablation_masks',
    params: { first, count, positions, channels: dims.channels },
    buffers: { activations, ablated: out },
    workgroups: Math.ceil((count * positions * dims.channels) / 256),
  });
}

/** Scores of passes first..first+count−1 from their logits [count, classes] into `scores` [passes·K] (pass_scores). */
export function encodePassScores(
  batch: CommandBatch,
  dims: FeatureDims,
  plan: ScorePlan,
  buffers: { logits: GPUBuffer; targets: GPUBuffer; ranges: GPUBuffer; selection: SelectionBuffers; baseline: GPUBuffer; scores: GPUBuffer; status: GPUBuffer },
  classes: number,
  first: number,
  count: number,
): void {
  const N = buffers.selection.perImage;
  batch.run({
    kernel: 'pass_scores',
    params: { first, count, masked: dims.batch * N, selected_per_image: N, channels: dims.channels, targets: dims.targets, classes },
    buffers: {
      logits: buffers.logits,
      target_classes: buffers.targets,
      ranges: buffers.ranges,
      selected: buffers.selection.selected,
      baseline: buffers.baseline,
      scores: buffers.scores,
      status: buffers.status,
    },
    overrides: { SCORING: SCORING[plan.scoring] },
    workgroups: Math.ceil((count * dims.targets) / 64),
  });
}

/** Channel weights [B·K, C]: the mean score over samples, then the channel softmax when the plan has one. */
export function encodeScoreFamilyWeights(batch: CommandBatch, dims: FeatureDims, plan: ScorePlan, scores: GPUBuffer, selection: SelectionBuffers, weights: GPUBuffer): void {
  const maps = dims.batch * dims.targets;
  batch.run({
    kernel: 'sample_mean_weights',
    params: {
      maps,
      channels: dims.channels,
      targets: dims.targets,
      masked: dims.batch * selection.perImage,
      selected_per_image: selection.perImage,
      samples: plan.samples,
      excluded: plan.channelSoftmax ? -3.402823e38 : 0,
    },
    buffers: { scores, rank_of: selection.rankOf, weights },
    workgroups: Math.ceil((maps * dims.channels) / 64),
  });
  if (plan.channelSoftmax) {
    batch.run({
      kernel: 'channel_softmax',
      params: { maps, channels: dims.channels },
      buffers: { weights },
      workgroups: maps,
    });
  }
}

/** The lower API's score inputs: what engine.compute needs for a score-based method. */
export interface GivenScores {
  readonly scores: GPUBuffer;
  readonly baseline: GPUBuffer | null;
  readonly inputSize: Size2D;
  readonly targets: GPUBuffer;
  readonly classes: number;
}

/**
 * Channel weights [B·K, C] from logits the caller computed for every pass, in one batch:
 * ranges, channel choice, pass scores, mean over samples, channel softmax.
 */
export function encodeGivenScoreWeights(batch: CommandBatch, dims: FeatureDims, plan: ScorePlan, activations: GPUBuffer, status: GPUBuffer, given: GivenScores): GPUBuffer {
  const allocate: Allocate = (bytes, label) => batch.temporary(Math.max(bytes, 16), STORAGE_USAGE, label);
  const ranges = allocate(dims.batch * dims.channels * 8, 'channel ranges');
  encodeScoreRanges(batch, dims, plan, activations, given.inputSize, status, ranges);
  const selection = encodeChannelSelection(batch, dims, plan, activations, allocate, (data, label) => batch.upload(data, label));
  const passes = plan.samples * dims.batch * selection.perImage;
  const scores = allocate(passes * dims.targets * 4, 'pass scores');
  const baseline = given.baseline ?? allocate(16, 'no baseline');
  encodePassScores(batch, dims, plan, { logits: given.scores, targets: given.targets, ranges, selection, baseline, scores, status }, given.classes, 0, passes);
  const weights = allocate(dims.batch * dims.targets * dims.channels * 4, 'channel weights');
  encodeScoreFamilyWeights(batch, dims, plan, scores, selection, weights);
  return weights;
}
