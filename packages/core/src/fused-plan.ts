// What a multi-layer and/or test-time-augmented explanation asks the engine for, and
// its validation: every layer explains the same images and targets, the method reads
// only activations and gradients, the augmentations divide the batch.
import { InvalidInputError } from './errors.js';
import { FUSE_MODES, isFuseMode, type FuseMode } from './fused-stages.js';
import type { FeatureDims, Size2D, TensorSource } from './inputs.js';
import { isMethodName, METHOD_NAMES, METHODS, type MethodName } from './methods.js';
import type { OutputRequest } from './output-plan.js';

/** One target layer's tensors. */
export interface LayerTensors {
  /** [B·T, h, w, C] NHWC (T = augmentations, 1 without). */
  readonly activations: TensorSource;
  /** Gradient methods: [B·T, h, w, C] or [B·T, K, h, w, C]. */
  readonly gradients?: TensorSource;
}

/** Test-time augmentation: which of the T augmented copies of each image were flipped horizontally. */
export interface AugmentSpec {
  /** One entry per augmentation t (image b's copy t is batch row b·T + t); at most 32. */
  readonly flips: readonly boolean[];
}

/** A multi-layer and/or augmented explanation for CamEngine.computeFused. */
export interface FusedComputeOptions extends OutputRequest {
  readonly method: MethodName;
  /** The target layers' tensors, one entry per layer (one entry: a single layer). */
  readonly layers: readonly LayerTensors[];
  /** How the layers' maps are combined (default 'mean'). */
  readonly fuse?: FuseMode;
  /** Test-time augmentation smoothing; the layers' batch is then B·T. */
  readonly augment?: AugmentSpec;
}

/**
 * pytorch-grad-cam's aug_smooth copies (ttach's HorizontalFlip × Multiply([0.9, 1, 1.1]), in
 * its product order): which of the six were flipped. Copy t of image b is batch row b·6 + t.
 */
export const AUG_SMOOTH_FLIPS: readonly boolean[] = [false, false, false, true, true, true];

/** Validated sizes of a fused explanation. */
export interface FusedPlan {
  readonly mode: FuseMode;
  /** Each layer's feature dims (batch B·T). */
  readonly layerDims: readonly FeatureDims[];
  /** The fused maps' size: `size`, else the largest feature height and width among the layers (torch-cam's default). */
  readonly size: Size2D;
  /** Images B (before augmentation) and augmentations T. */
  readonly images: number;
  readonly flips: readonly boolean[];
  readonly targets: number;
}

/**
 * The methods that run over several layers or with augmentation smoothing.
 *
 * @example
 * fusableMethods().includes('gradcam'); // true; 'scorecam' and 'cam' are not
 */
export function fusableMethods(): MethodName[] {
  return METHOD_NAMES.filter(isFusable);
}

/** The method table's word: its map reads one layer's A and G of the explained images only. */
function isFusable(method: MethodName): boolean {
  return METHODS[method].layers === 'several';
}

/** Checks the method, the fusion mode and the augmentation spec; the layers' tensors are checked per layer by the engine. */
export function checkFusedRequest(options: FusedComputeOptions): { mode: FuseMode; flips: readonly boolean[] } {
  const { method } = options;
  if (typeof method !== 'string' || !isMethodName(method)) throw new InvalidInputError(`unknown method '${String(method)}'; use one of ${METHOD_NAMES.join(', ')}`);
  if (!isFusable(method)) {
    throw new InvalidInputError(
      `${METHODS[method].title} cannot be fused over several layers or smoothed by augmentation (it needs ${METHODS[method].needs === 'gradients' ? 'noisy input copies' : METHODS[method].needs}); ` +
        `use one of ${fusableMethods().join(', ')}, or one layer without augSmooth`,
    );
  }
  if (!Array.isArray(options.layers) || options.layers.length === 0) throw new InvalidInputError('layers must list at least one target layer’s tensors');
  // compute()'s eigenSmooth is not part of a fused request; a JavaScript caller's is refused rather than left out.
  const eigenSmooth = (options as { readonly eigenSmooth?: unknown }).eigenSmooth;
  if (eigenSmooth !== undefined && eigenSmooth !== false) {
    throw new InvalidInputError('eigenSmooth is not combined with several layers or augmentation smoothing: compute one layer with compute({ ..., eigenSmooth: true }), or fuse without it');
  }
  const mode = options.fuse ?? 'mean';
  if (!isFuseMode(mode)) throw new InvalidInputError(`unknown fuse '${String(mode)}'; use ${FUSE_MODES.join(' or ')}`);
  const flips = options.augment?.flips ?? [false];
  if (!Array.isArray(flips) || flips.length === 0 || flips.length > 32 || flips.some((f) => typeof f !== 'boolean')) {
    throw new InvalidInputError(`augment.flips must list 1 to 32 booleans (one per augmentation); got ${JSON.stringify(flips)}`);
  }
  return { mode, flips };
}

/** Checks that the layers agree on batch and targets and that T divides the batch; picks the fused size. */
export function planFused(layerDims: readonly FeatureDims[], mode: FuseMode, flips: readonly boolean[], size: Size2D | undefined): FusedPlan {
  const first = layerDims[0]!;
  layerDims.forEach((d, i) => {
    if (d.batch !== first.batch || d.targets !== first.targets) {
      throw new InvalidInputError(
        `layer ${i} has batch ${d.batch} and ${d.targets} target(s) but layer 0 has batch ${first.batch} and ${first.targets}: every layer must come from the same forward pass and targets`,
      );
    }
  });
  const augments = flips.length;
  if (first.batch % augments !== 0) {
    throw new InvalidInputError(`the layers' batch ${first.batch} is not a multiple of the ${augments} augmentations: give B·T rows, image b's copy t at row b·T + t`);
  }
  const largest = { height: Math.max(...layerDims.map((d) => d.height)), width: Math.max(...layerDims.map((d) => d.width)) };
  return {
    mode,
    layerDims,
    size: size ?? largest,
    images: first.batch / augments,
    flips,
    targets: first.targets,
  };
}
