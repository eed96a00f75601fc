// The one table of CAM methods: what each needs, how the GPU encodes its channel weights
// or its map, its float64 reference and its options. The engine, the references, the
// TF.js explainer, the CLI, the demo and the bench dispatch on these fields.
import * as ref from './reference/method-maps.js';
import type { ReferenceMapInputs, ReferenceMaps } from './reference/method-maps.js';

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
] as const;

/** One of METHOD_NAMES. */
export type MethodName = (typeof METHOD_NAMES)[number];

/**
 * What a method needs besides the activations: nothing more ('activations', so no
 * backward pass and a map per image whatever the target), the gradients of each target
 * score ('gradients'), the dense kernel after global average pooling ('dense-kernel'),
 * or the model's scores of masked inputs ('scores').
 */
export type MethodInput = 'activations' | 'gradients' | 'dense-kernel' | 'scores';

/** The gradient-weighting kernels: channel weights [B·K, C] from G (and A). */
export type GradientWeightsKernel = 'gradcam_weights' | 'gradcampp_weights' | 'xgradcam_weights';

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
  /** How many layers it reads: all methods read one today ('several' is for multi-layer fusion). */
  readonly layers: 'one' | 'several';
  readonly encoding: MethodEncoding;
  /** Its maps in float64 (before normalisation): what the GPU must reproduce. */
  readonly reference: (inputs: ReferenceMapInputs) => ReferenceMaps;
  readonly options: readonly MethodOption[];
}

/** A table row with the defaults: one layer, no options. */
function method(row: Omit<MethodInfo, 'options' | 'layers'> & { readonly options?: readonly MethodOption[] }): MethodInfo {
  return { layers: 'one', options: [], ...row };
}

const SCORECAM_OPTIONS: readonly MethodOption[] = [
  {
    name: 'variant',
    flag: '--variant',
    values: ['probability', 'channel-softmax'],
    description: "'probability': w_c = softmax(f(X·M_c))[k] (the authors' code); 'channel-softmax': softmax over channels of the target logits (pytorch-grad-cam)",
  },
  { name: 'batchSize', description: 'masked inputs per forward pass (TF.js explainer; default 32)' },
];

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
