// Encoder of Smooth Grad-CAM++'s channel weights (smoothgradcampp_weights).
import { STORAGE_USAGE } from './gpu/flags.js';
import type { StageInputs } from './stages.js';

/**
 * Channel weights [B·K, C] from N noisy samples' gradients [N, B·K, S, C] and the clean activations.
 *
 * @example
 * const weights = encodeSmoothGradcamppWeights(inputs, gradients, 4);
 * encodeWeightedSum(inputs, weights);
 */
export function encodeSmoothGradcamppWeights(inputs: StageInputs, gradients: GPUBuffer, samples: number): GPUBuffer {
  const { batch, dims } = inputs;
  const maps = dims.batch * dims.targets;
  const weights = batch.temporary(maps * dims.channels * 4, STORAGE_USAGE, 'channel weights');
  batch.run({
    kernel: 'smoothgradcampp_weights',
    params: { maps, targets: dims.targets, positions: dims.height * dims.width, channels: dims.channels, samples },
    buffers: { activations: inputs.activations, gradients, weights, status: inputs.status },
    workgroups: Math.ceil((maps * dims.channels) / 64),
  });
  return weights;
}
