// Encoders of Score-CAM's GPU stages: channel ranges at input size, masked input
// batches, and scores → channel weights.
import type { CommandBatch } from './gpu/command-batch.js';
import type { FeatureDims, Size2D } from './inputs.js';
import { STORAGE_USAGE } from './gpu/flags.js';

const STORAGE = STORAGE_USAGE;

import type { ScoreCamVariant } from './score-plan.js';

export type { ScoreCamVariant } from './score-plan.js';

/** The model input that Score-CAM masks: [B, H, W, Cin]. */
export interface ModelInputDims extends Size2D {
  readonly channels: number;
}

/** (min, max) of each channel upsampled to the model's input size, [B·C] vec2, into `out`. */
export function encodeChannelRanges(
  batch: CommandBatch,
  dims: FeatureDims,
  activations: GPUBuffer,
  inputSize: Size2D,
  status: GPUBuffer,
  out: GPUBuffer,
): void {
  batch.run({
    kernel: 'channel_minmax',
    params: {
      pairs: dims.batch * dims.channels,
      in_height: dims.height,
      in_width: dims.width,
      channels: dims.channels,
      out_height: inputSize.height,
      out_width: inputSize.width,
    },
    buffers: { activations, ranges: out, status },
    workgroups: dims.batch * dims.channels,
  });
}

/** Masked copies of the input for pairs first..first+count−1 (in B·C order), [count, H, W, Cin]. */
export function encodeScoreCamMasks(
  batch: CommandBatch,
  dims: FeatureDims,
  buffers: { activations: GPUBuffer; ranges: GPUBuffer; input: GPUBuffer; out: GPUBuffer },
  input: ModelInputDims,
  first: number,
  count: number,
): void {
  batch.run({
    kernel: 'scorecam_mask',
    params: {
      first,
      count,
      in_height: dims.height,
      in_width: dims.width,
      channels: dims.channels,
      out_height: input.height,
      out_width: input.width,
      input_channels: input.channels,
    },
    buffers: { activations: buffers.activations, ranges: buffers.ranges, input_image: buffers.input, masked: buffers.out },
    workgroups: Math.ceil((count * input.height * input.width) / 64),
  });
}

/** Writes the weights of pairs first..first+count−1 from their logits [count, classes]. */
export function encodeScoreWeights(
  batch: CommandBatch,
  dims: FeatureDims,
  buffers: { logits: GPUBuffer; targets: GPUBuffer; ranges: GPUBuffer; weights: GPUBuffer; status: GPUBuffer },
  classes: number,
  first: number,
  count: number,
  variant: ScoreCamVariant,
): void {
  batch.run({
    kernel: 'score_weights',
    params: { first, count, channels: dims.channels, targets: dims.targets, classes },
    buffers: {
      logits: buffers.logits,
      target_classes: buffers.targets,
      ranges: buffers.ranges,
      weights: buffers.weights,
      status: buffers.status,
    },
    overrides: { SCORE_MODE: variant === 'probability' ? 0 : 1 },
    workgroups: Math.ceil((count * dims.targets) / 64),
  });
}

/** Softmax over channels of each [B·K, C] weight row, in place (channel-softmax variant). */
export function encodeChannelSoftmax(batch: CommandBatch, dims: FeatureDims, weights: GPUBuffer): void {
  batch.run({
    kernel: 'channel_softmax',
    params: { maps: dims.batch * dims.targets, channels: dims.channels },
    buffers: { weights },
    workgroups: dims.batch * dims.targets,
  });
}

/** A buffer for B·C channel ranges. */
export function channelRangesBuffer(batch: CommandBatch, dims: FeatureDims): GPUBuffer {
  return batch.temporary(dims.batch * dims.channels * 8, STORAGE, 'channel ranges');
}
