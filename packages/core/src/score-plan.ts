// How each method of the Score-CAM family (and Ablation-CAM) runs its extra forward
// passes and turns their scores into channel weights: one plan per method and options,
// read by the GPU session, the lower API's checks and the float64 reference.
import { InvalidInputError } from './errors.js';

/** How Score-CAM turns its masked inputs' scores into channel weights, by name. */
export type ScoreCamVariant = 'probability' | 'channel-softmax' | 'baseline';

/** The variants, the default first. */
export const SCORECAM_VARIANTS: readonly ScoreCamVariant[] = ['probability', 'channel-softmax', 'baseline'];

/** The options of the score-based methods (each method reads the ones its row lists). */
export interface ScoreMethodOptions {
  /** Score-CAM and Faster Score-CAM: how scores become weights (default 'probability'). */
  readonly variant?: ScoreCamVariant;
  /** Faster Score-CAM: how many channels (largest spatial variance first) get masked passes (default 10). */
  readonly maxChannels?: number;
  /** SS-CAM (default 35) and IS-CAM (default 10): samples averaged, as torch-cam's num_samples. */
  readonly numSamples?: number;
  /** SS-CAM: standard deviation of the Gaussian noise added to each mask (default 2.0, torch-cam's std). */
  readonly std?: number;
  /** SS-CAM: seed of the noise (default 0); the same seed gives the same masks. */
  readonly seed?: number;
}

/** Everything the GPU and the reference need to run one score-based method. */
export interface ScorePlan {
  /** 'input': masked copies of the model input through the whole model; 'head': the layer's activations with one channel zeroed through the head. */
  readonly feeds: 'input' | 'head';
  /** Grid of the mask ranges: the model input with half-pixel centres, with aligned corners, or the feature map itself. */
  readonly grid: 'half-pixel' | 'aligned' | 'feature';
  /** Added to max − min in the mask's denominator (1e-8 in pytorch-grad-cam and torch-cam). */
  readonly epsilon: number;
  /** How a pass's logits become its score (pass_scores' SCORING). */
  readonly scoring: 'probability' | 'logit' | 'baseline' | 'drop';
  /** Whether the weights are a softmax over channels of the mean scores. */
  readonly channelSoftmax: boolean;
  /** Samples per masked channel (their scores are averaged). */
  readonly samples: number;
  /** IS-CAM: masks scaled by the running sum Σ_{i≤s+1} i/samples. */
  readonly integrated: boolean;
  /** Standard deviation of the noise on each mask (0: none). */
  readonly noiseStd: number;
  readonly seed: number;
  /** Channels masked per image, by largest spatial variance; null: all of them, in order. */
  readonly maxChannels: number | null;
  /** Whether the baseline logits (the unmasked input's, [B, classes]) are read. */
  readonly needsBaseline: boolean;
}

const DEFAULT_FASTER_CHANNELS = 10;

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(`${name} must be a positive integer; got ${String(value)}`);
  return v;
}

function variantPlan(variant: ScoreCamVariant | undefined): Pick<ScorePlan, 'grid' | 'epsilon' | 'scoring' | 'channelSoftmax'> {
  switch (variant ?? 'probability') {
    case 'probability':
      return { grid: 'half-pixel', epsilon: 0, scoring: 'probability', channelSoftmax: false };
    case 'channel-softmax':
      return { grid: 'aligned', epsilon: 1e-8, scoring: 'logit', channelSoftmax: true };
    case 'baseline':
      return { grid: 'feature', epsilon: 1e-8, scoring: 'baseline', channelSoftmax: true };
    default:
      throw new InvalidInputError(`unknown Score-CAM variant '${String(variant)}'; use ${SCORECAM_VARIANTS.join(', ')}`);
  }
}

const SINGLE = { samples: 1, integrated: false, noiseStd: 0, seed: 0, maxChannels: null } as const;

/**
 * The plan of a score-based method with its options, validated.
 *
 * @example
 * const plan = scorePlan('sscam', { numSamples: 8, std: 1, seed: 3 });
 * plan.samples; // 8
 */
export function scorePlan(method: string, options: ScoreMethodOptions = {}): ScorePlan {
  const withBaseline = (p: Omit<ScorePlan, 'needsBaseline'>): ScorePlan => ({ ...p, needsBaseline: p.scoring === 'baseline' || p.scoring === 'drop' });
  switch (method) {
    case 'scorecam':
      return withBaseline({ feeds: 'input', ...variantPlan(options.variant), ...SINGLE });
    case 'fasterscorecam':
      return withBaseline({ feeds: 'input', ...variantPlan(options.variant), ...SINGLE, maxChannels: positiveInteger(options.maxChannels, DEFAULT_FASTER_CHANNELS, 'maxChannels') });
    case 'sscam': {
      const std = options.std ?? 2;
      if (!Number.isFinite(std) || std < 0) throw new InvalidInputError(`std must be a finite number ≥ 0; got ${String(options.std)}`);
      const seed = options.seed ?? 0;
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InvalidInputError(`seed must be an integer in [0, 2^32); got ${String(options.seed)}`);
      return withBaseline({ feeds: 'input', ...variantPlan('baseline'), ...SINGLE, samples: positiveInteger(options.numSamples, 35, 'numSamples'), noiseStd: std, seed });
    }
    case 'iscam':
      return withBaseline({ feeds: 'input', ...variantPlan('baseline'), ...SINGLE, samples: positiveInteger(options.numSamples, 10, 'numSamples'), integrated: true });
    case 'ablationcam':
      return withBaseline({ feeds: 'head', grid: 'feature', epsilon: 0, scoring: 'drop', channelSoftmax: false, ...SINGLE });
    default:
      throw new InvalidInputError(`'${method}' does not run masked or ablated forward passes`);
  }
}

/** Channels masked per image under `plan` for C channels. */
export function maskedChannels(plan: ScorePlan, channels: number): number {
  return plan.maxChannels === null ? channels : Math.min(plan.maxChannels, channels);
}

/** Forward passes a plan runs: samples · B · N. */
export function scorePasses(plan: ScorePlan, batch: number, channels: number): number {
  return plan.samples * batch * maskedChannels(plan, channels);
}
