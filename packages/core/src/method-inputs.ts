// Checks of the method inputs besides activations and gradients: CAM's dense kernel and
// Score-CAM's scores. Each returns the class count the targets are checked against.
import { InvalidInputError, ShapeError } from './errors.js';
import { checkData, checkShape, checkSize, type TensorSource } from './inputs.js';
import { scorePasses, type ScoreMethodOptions, type ScorePlan } from './score-plan.js';
import type { ScoreCamVariant } from './score-plan.js';

/**
 * Score-based inputs for the lower API, where the caller ran the masked (or, for
 * Ablation-CAM, ablated) forward passes. The method's options (variant, maxChannels,
 * numSamples) fix how many passes there are and how they are scored.
 */
export interface ScoreCamScores extends ScoreMethodOptions {
  /**
   * The model's logits for every pass, [samples·B·N, classes]: sample-major, then image,
   * then masked channel — all C in order (N = C), or for Faster Score-CAM the N of largest
   * spatial variance, largest first (ties: lower channel first).
   */
  readonly scores: TensorSource;
  /** The model input size the masks were upsampled to (sets the mask grid and the constant-channel test); not read by Ablation-CAM. */
  readonly inputSize?: { readonly height: number; readonly width: number };
  /** 'probability' (the authors' code, default), 'channel-softmax' (pytorch-grad-cam) or 'baseline' (torch-cam). */
  readonly variant?: ScoreCamVariant;
  /** Logits of the unmasked input, [B, classes]: the 'baseline' variant, SS-CAM, IS-CAM and Ablation-CAM subtract from or divide by them. */
  readonly baseline?: TensorSource;
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
 * Validates a score-based method's [passes, classes] scores, input size and baseline
 * against its plan; returns the class count.
 *
 * @example
 * const classes = checkScores(options.scoreCam, plan, batch, channels, 'Score-CAM');
 */
export function checkScores(score: ScoreCamScores | undefined, plan: ScorePlan, batch: number, channels: number, title: string): number {
  const passes = scorePasses(plan, batch, channels);
  const rows = plan.samples > 1 ? 'samples·B·C' : plan.maxChannels !== null ? 'B·N' : 'B·C';
  if (!score) throw new InvalidInputError(`${title} needs scoreCam: { scores [${rows}, classes]${plan.feeds === 'input' ? ', inputSize' : ''}${plan.needsBaseline ? ', baseline [B, classes]' : ''} }`);
  checkShape('scoreCam.scores', score.scores.shape, 2, `[${rows}, classes]`);
  checkData('scoreCam.scores', score.scores);
  if (plan.feeds === 'input') {
    if (!score.inputSize) throw new InvalidInputError(`${title} needs scoreCam.inputSize: the model input size the masks were made at`);
    checkSize('scoreCam.inputSize', score.inputSize);
  }
  if (score.scores.shape[0] !== passes) {
    throw new ShapeError(`scoreCam.scores has ${score.scores.shape[0]} rows; ${title} with these options runs ${passes} passes (${rows}), one row each`);
  }
  const classes = score.scores.shape[1] as number;
  if (plan.needsBaseline) {
    if (!score.baseline) throw new InvalidInputError(`${title} needs scoreCam.baseline: the logits of the unmasked input, [B, classes]`);
    checkShape('scoreCam.baseline', score.baseline.shape, 2, '[B, classes]');
    checkData('scoreCam.baseline', score.baseline);
    if (score.baseline.shape[0] !== batch || score.baseline.shape[1] !== classes) {
      throw new ShapeError(`scoreCam.baseline has shape [${score.baseline.shape.join(', ')}]; it needs [${batch}, ${classes}]`);
    }
  }
  return classes;
}
