// Each method's float64 reference, from its inputs to its raw (un-normalised) maps: the
// `reference` of its row in the method table.
import type { FeatureDims, Size2D } from '../inputs.js';
import { scorePlan, type ScoreMethodOptions } from '../score-plan.js';
import type { ScoreCamVariant } from '../score-plan.js';
import { eigenProjections } from './eigen.js';
import { elementwiseSumRelu, weightedSumRelu } from './maps.js';
import { channelSelection, scoreFamilyWeights, scoreRanges } from './score-methods.js';
import { smoothGradcamppWeights } from './smooth-grad.js';
import { camWeights, gradcamppWeights, gradcamWeights, xgradcamWeights } from './weights.js';

/** Everything a method's reference may read; what a method does not need is null. */
export interface ReferenceMapInputs {
  /** B, h, w, C and the maps per image K (1 for class-agnostic methods). */
  readonly dims: FeatureDims;
  readonly activations: ArrayLike<number>;
  readonly gradients: ArrayLike<number> | null;
  readonly denseKernel: ArrayLike<number> | null;
  /** Score-CAM: logits of the B·C masked inputs, with the model input size and variant. */
  readonly scores: ArrayLike<number> | null;
  readonly inputSize: Size2D | null;
  readonly variant: ScoreCamVariant;
  /** Score-based methods: their options (variant, maxChannels, numSamples, ...). */
  readonly scoreOptions?: ScoreMethodOptions;
  /** Logits of the unmasked input [B, classes] (baseline variant, SS-CAM, IS-CAM, Ablation-CAM). */
  readonly baseline?: ArrayLike<number> | null;
  /** Smooth Grad-CAM++: the noisy samples `gradients` holds, sample-major (default 1). */
  readonly gradientSamples?: number;
  /** Classes of the dense kernel or scores. */
  readonly classes: number;
  /** B·K target classes (CAM, Score-CAM). */
  readonly targets: ArrayLike<number> | null;
}

/** A method's channel weights (null for methods without) and raw maps [B·K, h·w]. */
export interface ReferenceMaps {
  readonly weights: Float64Array | null;
  readonly rawMaps: Float64Array;
}

function required<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`reference: ${what} is required for this method`);
  return value;
}

function weighted(inputs: ReferenceMapInputs, weights: Float64Array): ReferenceMaps {
  return { weights, rawMaps: weightedSumRelu(inputs.activations, weights, inputs.dims) };
}

/**
 * CAM: w = W_dense[c, target].
 *
 * @example
 * const { rawMaps } = camMaps(inputs);
 */
export function camMaps(inputs: ReferenceMapInputs): ReferenceMaps {
  return weighted(inputs, camWeights(required(inputs.denseKernel, 'the dense kernel'), required(inputs.targets, 'targets'), inputs.dims, inputs.classes));
}

/**
 * Grad-CAM: w = mean_s G.
 *
 * @example
 * const { weights } = gradcamMaps(inputs);
 */
export function gradcamMaps(inputs: ReferenceMapInputs): ReferenceMaps {
  return weighted(inputs, gradcamWeights(required(inputs.gradients, 'gradients'), inputs.dims));
}

/**
 * Grad-CAM++ (Eq. 19 with the exponential score).
 *
 * @example
 * const { weights } = gradcamppMaps(inputs);
 */
export function gradcamppMaps(inputs: ReferenceMapInputs): ReferenceMaps {
  return weighted(inputs, gradcamppWeights(inputs.activations, required(inputs.gradients, 'gradients'), inputs.dims));
}

/**
 * Smooth Grad-CAM++: Grad-CAM++'s α on the gradient powers averaged over the noisy samples.
 *
 * @example
 * const { weights } = smoothGradcamppMaps({ ...inputs, gradientSamples: 4 });
 */
export function smoothGradcamppMaps(inputs: ReferenceMapInputs): ReferenceMaps {
  return weighted(inputs, smoothGradcamppWeights(inputs.activations, required(inputs.gradients, 'gradients'), inputs.dims, inputs.gradientSamples ?? 1));
}

/**
 * XGrad-CAM: w = Σ_s G·A / (Σ_s A + 1e-7).
 *
 * @example
 * const { weights } = xgradcamMaps(inputs);
 */
export function xgradcamMaps(inputs: ReferenceMapInputs): ReferenceMaps {
  return weighted(inputs, xgradcamWeights(inputs.activations, required(inputs.gradients, 'gradients'), inputs.dims));
}

/**
 * Layer-CAM: map = ReLU(Σ_c ReLU(G)·A).
 *
 * @example
 * const { rawMaps } = layercamMaps(inputs);
 */
export function layercamMaps(inputs: ReferenceMapInputs): ReferenceMaps {
  return { weights: null, rawMaps: elementwiseSumRelu(inputs.activations, required(inputs.gradients, 'gradients'), inputs.dims, 'relu-gradient') };
}

/**
 * HiResCAM: map = ReLU(Σ_c G·A).
 *
 * @example
 * const { rawMaps } = hirescamMaps(inputs);
 */
export function hirescamMaps(inputs: ReferenceMapInputs): ReferenceMaps {
  return { weights: null, rawMaps: elementwiseSumRelu(inputs.activations, required(inputs.gradients, 'gradients'), inputs.dims, 'gradient') };
}

/**
 * Element-wise Grad-CAM: map = ReLU(Σ_c ReLU(G·A)).
 *
 * @example
 * const { rawMaps } = gradcamElementwiseMaps(inputs);
 */
export function gradcamElementwiseMaps(inputs: ReferenceMapInputs): ReferenceMaps {
  return { weights: null, rawMaps: elementwiseSumRelu(inputs.activations, required(inputs.gradients, 'gradients'), inputs.dims, 'relu-product') };
}

/**
 * The reference of a score-based method (Score-CAM and its variants, Faster Score-CAM,
 * SS-CAM, IS-CAM, Ablation-CAM): its plan's ranges, channel choice and weights from the
 * given pass logits.
 *
 * @example
 * const { weights } = scoreFamilyMaps('fasterscorecam')(inputs);
 */
export function scoreFamilyMaps(method: string): (inputs: ReferenceMapInputs) => ReferenceMaps {
  return (inputs) => {
    const plan = scorePlan(method, { variant: inputs.variant, ...inputs.scoreOptions });
    const ranges = plan.feeds === 'input' ? scoreRanges(inputs.activations, inputs.dims, plan, required(inputs.inputSize, 'the model input size')) : null;
    const selection = channelSelection(inputs.activations, inputs.dims, plan);
    const scores = required(inputs.scores, 'the passes’ scores');
    const baseline = plan.needsBaseline ? required(inputs.baseline ?? null, 'the baseline logits') : null;
    return weighted(inputs, scoreFamilyWeights(scores, required(inputs.targets, 'targets'), ranges, selection, baseline, inputs.dims, inputs.classes, plan));
  };
}

/**
 * Score-CAM: w from the masked inputs' scores by its variant.
 *
 * @example
 * const { weights } = scorecamMaps(inputs);
 */
export const scorecamMaps = scoreFamilyMaps('scorecam');

function relu(values: Float64Array): Float64Array {
  return values.map((v) => Math.max(v, 0));
}

/**
 * Eigen-CAM: ReLU of the centred activations' projection onto their first principal component.
 *
 * @example
 * const { rawMaps } = eigencamMaps(inputs);
 */
export function eigencamMaps(inputs: ReferenceMapInputs): ReferenceMaps {
  return { weights: null, rawMaps: relu(eigenProjections(inputs.activations, null, inputs.dims).projections) };
}

/**
 * Eigen-Grad-CAM: the same on G·A, per target.
 *
 * @example
 * const { rawMaps } = eigengradcamMaps(inputs);
 */
export function eigengradcamMaps(inputs: ReferenceMapInputs): ReferenceMaps {
  return { weights: null, rawMaps: relu(eigenProjections(inputs.activations, required(inputs.gradients, 'gradients'), inputs.dims).projections) };
}
