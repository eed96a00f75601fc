// Checks of the method inputs besides activations and gradients: CAM's dense kernel and
// Score-CAM's scores. Each returns the class count the targets are checked against.
import { InvalidInputError, ShapeError } from './errors.js';
import { checkData, checkShape, checkSize, type TensorSource } from './inputs.js';
import type { ScoreCamVariant } from './scorecam-stages.js';

/** Score-CAM inputs for the lower API, where the caller ran the masked forward passes. */
export interface ScoreCamScores {
  /** The model's logits for every masked input, [B·C, classes], pairs in (b, c) order. */
  readonly scores: TensorSource;
  /** The model input size the masks were upsampled to (sets the constant-channel test). */
  readonly inputSize: { readonly height: number; readonly width: number };
  /** 'probability' (the authors' code, default) or 'channel-softmax' (pytorch-grad-cam). */
  readonly variant?: ScoreCamVariant;
}

/**
 * Validates a [C, classes] dense kernel against C channels; returns the class count.
 *
 * @example
 * const classes = checkDenseKernel(options.denseKernel, 512, 'CAM');
 */
export function checkDenseKernel(kernel: TensorSource | undefined, channels: number, title: string): number {
  if (!kernel) throw new InvalidInputError(`${title} needs denseKernel: the [C, classes] kernel of the dense layer after global average pooling`);
  checkShape('denseKernel', kernel.shape, 2, '[C, classes]');
  checkData('denseKernel', kernel);
  if (kernel.shape[0] !== channels) {
    throw new ShapeError(`denseKernel has ${kernel.shape[0]} rows but the activations have ${channels} channels; ${title} needs a GAP → Dense head on this layer`);
  }
  return kernel.shape[1] as number;
}

/**
 * Validates Score-CAM's [B·C, classes] scores and input size; returns the class count.
 *
 * @example
 * const classes = checkScores(options.scoreCam, batch * channels, 'Score-CAM');
 */
export function checkScores(score: ScoreCamScores | undefined, pairs: number, title: string): number {
  if (!score) throw new InvalidInputError(`${title} needs scoreCam: { scores [B·C, classes], inputSize }`);
  checkShape('scoreCam.scores', score.scores.shape, 2, '[B·C, classes]');
  checkData('scoreCam.scores', score.scores);
  checkSize('scoreCam.inputSize', score.inputSize);
  if (score.scores.shape[0] !== pairs) {
    throw new ShapeError(`scoreCam.scores has ${score.scores.shape[0]} rows; it needs one per (image, channel) pair: ${pairs}`);
  }
  return score.scores.shape[1] as number;
}
