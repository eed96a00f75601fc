// The one table of CAM methods: what each needs, how the GPU encodes its channel weights
// or its map, its float64 reference and its options. The engine, the references, the
// TF.js explainer, the CLI, the demo and the bench dispatch on these fields.
import * as ref from './reference/method-maps.js';
import type { ReferenceMapInputs, ReferenceMaps } from './reference/method-maps.js';
import { SCORECAM_VARIANTS } from './score-plan.js';

/** The CAM methods the engine computes. */
export const METHOD_NAMES = [
  'cam',
  'gradcam',
  'gradcam++',
  'xgradcam',
  'layercam',
  'hirescam',
  'scorecam',
  'gradcamelementwise',
  'eigencam',
  'eigengradcam',
  'fasterscorecam',
  'ablationcam',
  'sscam',
  'iscam',
  'smoothgradcampp',
] as const;

/** One of METHOD_NAMES. */
export type MethodName = (typeof METHOD_NAMES)[number];

/**
 * What a method needs besides the activations: nothing more ('activations', so no
 * backward pass and a map per image whatever the target), the gradients of each target
 * score ('gradients'), the dense kernel after global average pooling ('dense-kernel'),
 * or the model's scores of extra forward passes ('scores': masked inputs through the whole
 * model, or for Ablation-CAM ablated activations through the head; see `passes`).
 */
export type MethodInput = 'activations' | 'gradients' | 'dense-kernel' | 'scores';

/** The gradient-weighting kernels: channel weights [B·K, C] from G (and A). */
export type GradientWeightsKernel = 'gradcam_weights' | 'gradcampp_weights' | 'xgradcam_weights' | 'smoothgradcampp_weights';

/** How the engine encodes a method's map on the GPU. */
export type MethodEncoding =
  /** Channel weights w[B·K, C] from the method's input, then map = ReLU(Σ_c w·A) (weighted_sum_relu). */
  | { readonly kind: 'weighted-sum'; readonly weights: GradientWeightsKernel | 'cam_weights' | 'score_weights' }
  /** map = ReLU(Σ_c f(G, A)) in one kernel (elementwise_sum_relu, its PRODUCT mode). */
  | { readonly kind: 'elementwise'; readonly product: ElementwiseProduct }
  /** map = ReLU(sign·X·v₁): projection of the centred Z (A, or G·A) onto its first principal component (eigen_*). */
  | { readonly kind: 'projection'; readonly of: ProjectionSource };

/** The per-element product an elementwise method sums: G·A (0), ReLU(G)·A (1), ReLU(G·A) (2). */
export type ElementwiseProduct = 'gradient' | 'relu-gradient' | 'relu-product';

/** What a projection method decomposes: the activations, or gradients times activations. */
export type ProjectionSource = 'activations' | 'gradient-activation';

/** One option a method takes, with the names it goes by. */
export interface MethodOption {
  /** The field name in the TypeScript API (ExplainRequest.scoreCam.variant, ...). */
  readonly name: string;
  /** The command-line flag of `wgcam compute` / `wgcam explain`, if any. */
  readonly flag?: string;
  /** Allowed values, the first being the default, for an option with a fixed set. */
  readonly values?: readonly string[];
  readonly description: string;
}

/** Everything the project knows about one method. */
export interface MethodInfo {
  readonly name: MethodName;
  readonly title: string;
  readonly paper: string;
  readonly needs: MethodInput;
  /**
   * 'several': its map comes from one layer's activations (and gradients) alone, so it can be
   * fused over several target layers and smoothed by test-time augmentation (computeFused);
   * 'one': it also needs the model's head or extra passes (CAM, the score methods, Smooth
   * Grad-CAM++'s noisy copies), and runs on one layer.
   */
  readonly layers: 'one' | 'several';
  readonly encoding: MethodEncoding;
  /** Its maps in float64 (before normalisation): what the GPU must reproduce. */
  readonly reference: (inputs: ReferenceMapInputs) => ReferenceMaps;
  readonly options: readonly MethodOption[];
  /**
   * Methods that need 'scores': what their extra forward passes feed — masked copies of
   * the model input through the whole model ('masked-input') or the layer's activations
   * with one channel zeroed through the head ('ablated-head') — and how many per image
   * for C channels with the default options (the cost `--method all` weighs).
   */
  readonly passes?: { readonly feeds: 'masked-input' | 'ablated-head'; readonly perImage: string };
  /** Whether `--method all` runs it (false for those that multiply the model's passes: SS-CAM, IS-CAM, Smooth Grad-CAM++). */
  readonly inAll: boolean;
  /**
   * Gradient methods that average over noisy copies of the input (Smooth Grad-CAM++): the
   * gradients hold numSamples of them, sample-major ([numSamples·B, h, w, C] or
   * [numSamples·B, K, h, w, C]), the explainer's defaults for numSamples and the noise's std.
   */
  readonly noisySamples?: { readonly numSamples: number; readonly std: number };
}

/** A table row with the defaults: several layers when it reads only A and G, no options, in `all`; gradient methods whose map is a channel sum also take eigenSmooth. */
function method(row: Omit<MethodInfo, 'options' | 'layers' | 'inAll'> & { readonly options?: readonly MethodOption[]; readonly inAll?: boolean }): MethodInfo {
  const smoothable = row.needs === 'gradients' && row.encoding.kind !== 'projection';
  const several = (row.needs === 'activations' || row.needs === 'gradients') && row.noisySamples === undefined;
  return { layers: several ? 'several' : 'one', inAll: true, ...row, options: [...(row.options ?? []), ...(smoothable ? [EIGEN_SMOOTH_OPTION] : [])] };
}

/**
 * Eigen smoothing (pytorch-grad-cam's eigen_smooth): the map is ReLU of the first principal
 * component projection of the per-channel terms the method sums (w_c·A_c, or f(G, A)_c),
 * centred per channel over positions, sign as Eigen-CAM's; computed by Eigen-CAM's stages.
 */
const EIGEN_SMOOTH_OPTION: MethodOption = {
  name: 'eigenSmooth',
  flag: '--eigen-smooth',
  description: "map = ReLU of the first principal component projection of the summed terms (w_c·A_c or f(G, A)_c) instead of their sum (pytorch-grad-cam's eigen_smooth)",
};

const VARIANT_OPTION: MethodOption = {
  name: 'variant',
  flag: '--variant',
  values: SCORECAM_VARIANTS,
  description:
    "'probability': w_c = softmax(f(X·M_c))[k], masks upsampled with half-pixel centres, constant channels weight 0 (the authors' code); " +
    "'channel-softmax': w = softmax_c(f_k(X·M_c)), masks upsampled with aligned corners and normalised with +1e-8, constant channels scored with a zero mask (pytorch-grad-cam); " +
    "'baseline': w = softmax_c(f_k(X·M_c) − f_k(X)), masks normalised at feature resolution (+1e-8) then upsampled with half-pixel centres (torch-cam)",
};
const BATCH_OPTION: MethodOption = { name: 'batchSize', description: 'forward passes per model call (TF.js explainer; default 32)' };
const SCORECAM_OPTIONS: readonly MethodOption[] = [VARIANT_OPTION, BATCH_OPTION];
const SAMPLES_OPTION = (fallback: number): MethodOption => ({ name: 'numSamples', flag: '--num-samples', description: `samples averaged (torch-cam's num_samples; default ${fallback})` });

/**
 * Every method with its title, source, needs, GPU encoding, reference and options.
 *
 * @example
 * for (const m of METHOD_NAMES) console.log(METHODS[m].title, METHODS[m].needs, METHODS[m].encoding.kind);
 */
export const METHODS: Readonly<Record<MethodName, MethodInfo>> = {
  cam: method({ name: 'cam', title: 'CAM', paper: 'Zhou et al. 2016', needs: 'dense-kernel', encoding: { kind: 'weighted-sum', weights: 'cam_weights' }, reference: ref.camMaps }),
  gradcam: method({ name: 'gradcam', title: 'Grad-CAM', paper: 'Selvaraju et al. 2017', needs: 'gradients', encoding: { kind: 'weighted-sum', weights: 'gradcam_weights' }, reference: ref.gradcamMaps }),
  'gradcam++': method({
    name: 'gradcam++',
    title: 'Grad-CAM++',
    paper: 'Chattopadhyay et al. 2018',
    needs: 'gradients',
    encoding: { kind: 'weighted-sum', weights: 'gradcampp_weights' }, reference: ref.gradcamppMaps,
  }),
  xgradcam: method({ name: 'xgradcam', title: 'XGrad-CAM', paper: 'Fu et al. 2020', needs: 'gradients', encoding: { kind: 'weighted-sum', weights: 'xgradcam_weights' }, reference: ref.xgradcamMaps }),
  layercam: method({ name: 'layercam', title: 'Layer-CAM', paper: 'Jiang et al. 2021', needs: 'gradients', encoding: { kind: 'elementwise', product: 'relu-gradient' }, reference: ref.layercamMaps }),
  hirescam: method({ name: 'hirescam', title: 'HiResCAM', paper: 'Draelos & Carin 2020', needs: 'gradients', encoding: { kind: 'elementwise', product: 'gradient' }, reference: ref.hirescamMaps }),
  scorecam: method({
    name: 'scorecam',
    title: 'Score-CAM',
    paper: 'Wang et al. 2020',
    needs: 'scores',
    encoding: { kind: 'weighted-sum', weights: 'score_weights' }, reference: ref.scorecamMaps,
    options: SCORECAM_OPTIONS,
    passes: { feeds: 'masked-input', perImage: 'C' },
  }),
  gradcamelementwise: method({
    name: 'gradcamelementwise',
    title: 'Grad-CAM element-wise',
    paper: 'pytorch-grad-cam (Gildenblat et al.)',
    needs: 'gradients',
    encoding: { kind: 'elementwise', product: 'relu-product' }, reference: ref.gradcamElementwiseMaps,
  }),
  eigencam: method({ name: 'eigencam', title: 'Eigen-CAM', paper: 'Muhammad & Yeasin 2020', needs: 'activations', encoding: { kind: 'projection', of: 'activations' }, reference: ref.eigencamMaps }),
  eigengradcam: method({
    name: 'eigengradcam',
    title: 'Eigen-Grad-CAM',
    paper: 'pytorch-grad-cam (Gildenblat et al.)',
    needs: 'gradients',
    encoding: { kind: 'projection', of: 'gradient-activation' }, reference: ref.eigengradcamMaps,
  }),
  fasterscorecam: method({
    name: 'fasterscorecam',
    title: 'Faster Score-CAM',
    paper: 'Score-CAM authors’ Faster Score-CAM (tabayashi0117/Score-CAM)',
    needs: 'scores',
    encoding: { kind: 'weighted-sum', weights: 'score_weights' }, reference: ref.scoreFamilyMaps('fasterscorecam'),
    options: [
      { name: 'maxChannels', flag: '--max-channels', description: 'channels masked per image: the N of largest spatial variance (default 10); the others get weight 0' },
      VARIANT_OPTION,
      BATCH_OPTION,
    ],
    passes: { feeds: 'masked-input', perImage: 'min(N, C)' },
  }),
  ablationcam: method({
    name: 'ablationcam',
    title: 'Ablation-CAM',
    paper: 'Desai & Ramaswamy 2020',
    needs: 'scores',
    encoding: { kind: 'weighted-sum', weights: 'score_weights' }, reference: ref.scoreFamilyMaps('ablationcam'),
    options: [BATCH_OPTION],
    passes: { feeds: 'ablated-head', perImage: 'C' },
  }),
  sscam: method({
    name: 'sscam',
    title: 'SS-CAM',
    paper: 'Wang et al. 2020 (Smoothed Score-CAM)',
    needs: 'scores',
    encoding: { kind: 'weighted-sum', weights: 'score_weights' }, reference: ref.scoreFamilyMaps('sscam'),
    options: [
      SAMPLES_OPTION(35),
      { name: 'std', flag: '--std', description: "standard deviation of the Gaussian noise added to each normalised mask (torch-cam's std; default 2.0)" },
      { name: 'seed', flag: '--seed', description: 'seed of the noise (default 0): the same seed gives the same masks and map' },
      BATCH_OPTION,
    ],
    passes: { feeds: 'masked-input', perImage: 'numSamples·C' },
    inAll: false,
  }),
  iscam: method({
    name: 'iscam',
    title: 'IS-CAM',
    paper: 'Naidu et al. 2020 (Integrated Score-CAM)',
    needs: 'scores',
    encoding: { kind: 'weighted-sum', weights: 'score_weights' }, reference: ref.scoreFamilyMaps('iscam'),
    options: [SAMPLES_OPTION(10), BATCH_OPTION],
    passes: { feeds: 'masked-input', perImage: 'numSamples·C' },
    inAll: false,
  }),
  smoothgradcampp: method({
    name: 'smoothgradcampp',
    title: 'Smooth Grad-CAM++',
    paper: 'Omeiza et al. 2019 (as torch-cam, numerator Ḡ₂)',
    needs: 'gradients',
    encoding: { kind: 'weighted-sum', weights: 'smoothgradcampp_weights' }, reference: ref.smoothGradcamppMaps,
    noisySamples: { numSamples: 4, std: 0.3 },
    inAll: false,
    options: [
      { name: 'numSamples', flag: '--num-samples', description: "noisy copies of the input whose gradients are averaged (torch-cam's num_samples; default 4)" },
      { name: 'std', flag: '--std', description: "standard deviation of the Gaussian noise added to the model input (torch-cam's std; default 0.3)" },
      { name: 'seed', flag: '--seed', description: 'seed of the noise (default 0): the same seed gives the same noisy inputs and map' },
    ],
  }),
};

/**
 * Whether `name` is a method the engine knows.
 *
 * @example
 * if (!isMethodName(flag)) throw new Error(`unknown method ${flag}`);
 */
export function isMethodName(name: string): name is MethodName {
  return (METHOD_NAMES as readonly string[]).includes(name);
}

/**
 * The methods whose maps come from `need` (e.g. every method that runs without a backward pass).
 *
 * @example
 * methodsNeeding('gradients'); // ['gradcam', 'gradcam++', ...]
 */
export function methodsNeeding(need: MethodInput): MethodName[] {
  return METHOD_NAMES.filter((m) => METHODS[m].needs === need);
}

/**
 * The methods `all` means: every method of the table but the costliest (SS-CAM, IS-CAM:
 * numSamples·C masked forward passes per image; Smooth Grad-CAM++: numSamples more forward
 * and backward passes of the whole model), which run only when named.
 *
 * @example
 * methodsInAll().includes('sscam'); // false
 */
export function methodsInAll(): MethodName[] {
  return METHOD_NAMES.filter((m) => METHODS[m].inAll);
}
