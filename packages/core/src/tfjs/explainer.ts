import * as tf from '@tensorflow/tfjs';
import type { ColormapName } from '../colormaps.js';
import { CamEngine, type Normalization } from '../engine.js';
import { InvalidInputError, type CancelSignal } from '../errors.js';
import type { Size2D } from '../inputs.js';
import { isMethodName, METHODS, type MethodName } from '../methods.js';
import { explainMany, type ExplainManyRequest, type ManyExplanations } from './explain-methods.js';
import { explainFused } from './explain-fused.js';
import type { FuseMode } from '../fused-stages.js';
import { checkLayerList, fromSplit, splitMulti, type MultiSplit } from './split-multi.js';
import type { MaskBufferSlot, ScoreCamOptions } from './scorecam-runner.js';
import type { SmoothGradOptions } from './noisy-gradients.js';
import { UNIT_SCALE, type ImageInput, type Preprocess } from './images.js';
import { splitGraphModel } from './split-graph.js';
import { splitLayersModel } from './split-layers.js';
import type { SplitModel } from './split-model.js';
import type { TargetRequest } from './targets.js';
import { backendDevice } from './tensor-bridge.js';

/** A model TF.js users already have. */
export type ExplainableModel = tf.LayersModel | tf.GraphModel;

/** Options fixed for an Explainer's lifetime. */
export interface ExplainerOptions {
  /**
   * Target layer (LayersModel) or node (GraphModel); the last 4-D one when omitted. Several
   * layers (`['conv2', 'last_conv']`) fuse their maps (ExplainRequest.fuse).
   */
  readonly layer?: string | readonly string[];
  /** Several target layers: the same as `layer` given a list. */
  readonly layers?: readonly string[];
  /** Class names, index-aligned with the model's outputs. */
  readonly labels?: readonly string[];
  /** Pixel preprocessing: a preset ('unit', 'tf', 'caffe', 'torch', 'raw'), a per-channel transform or a function; 'unit' (pixels / 255) by default. */
  readonly preprocess?: Preprocess;
  /** Model input size for a model whose input height/width are dynamic; each image's own size when omitted. */
  readonly inputSize?: Size2D;
  /** The engine to use; by default one on the TF.js webgpu backend's own device. */
  readonly engine?: CamEngine;
}

/** One explanation request. */
export interface ExplainRequest {
  readonly method: MethodName;
  /** Classes to explain; the top-1 prediction by default. */
  readonly target?: TargetRequest;
  /** Differentiate the pre-softmax logit (default) or the probability. */
  readonly score?: 'logit' | 'probability';
  readonly colormap?: ColormapName;
  readonly alpha?: number;
  /**
   * Min-max normalisation at the output's resolution ('output': after resizing, as
   * pytorch-grad-cam and tf-keras-vis; maximum 1) or at the feature map's ('feature').
   * The engine's default ('output') when omitted.
   */
  readonly normalize?: Normalization;
  /** Heatmap size: the image's (default), the model input's, the feature map's, or explicit. */
  readonly size?: 'image' | 'input' | 'feature' | Size2D;
  /** Draw the overlay on the image (default true). */
  readonly overlay?: boolean;
  /** Score-CAM: masked inputs per forward pass (default 32) and weighting variant. */
  readonly scoreCam?: ScoreCamOptions;
  /** Several target layers: each layer's normalised map resized to the output and combined by their 'mean' (default, pytorch-grad-cam) or 'max' (torch-cam), then normalised. */
  readonly fuse?: FuseMode;
  /**
   * Test-time augmentation smoothing (pytorch-grad-cam's aug_smooth): the input without and
   * with a horizontal flip, times 0.9, 1 and 1.1, batched through the model; the six maps
   * are normalised, flipped back and averaged (the mean is not normalised again).
   */
  readonly augSmooth?: boolean;
  /** Smooth Grad-CAM++: noisy copies of the input (numSamples, default 4), the noise's std (default 0.3) and seed (default 0). */
  readonly smoothGrad?: SmoothGradOptions;
  /**
   * Eigen smoothing (pytorch-grad-cam's eigen_smooth) for the requested methods that take it
   * (the gradient methods whose map is a channel sum): ReLU of the first principal component
   * projection of the summed terms instead of their sum. Refused when no requested method takes it.
   */
  readonly eigenSmooth?: boolean;
  /** Wait for the GPU between stages so `timings` split model and CAM time (costs a sync each). */
  readonly profile?: boolean;
  /** Stops the call between model passes and Score-CAM chunks with a CancelledError. */
  readonly signal?: CancelSignal;
  /** Progress of long work (Score-CAM's masked forward passes), called as each chunk finishes. */
  readonly onProgress?: (progress: WorkProgress) => void;
}

/** How far a long step of an explanation has come. */
export interface WorkProgress {
  readonly method: MethodName;
  /** Units done and in all (Score-CAM: masked inputs, one per image and channel). */
  readonly done: number;
  readonly total: number;
  readonly unit: string;
  readonly elapsedMs: number;
  /** Estimated time left, from the pace so far; NaN before the first unit is done. */
  readonly remainingMs: number;
}

/** A class with its probability. */
export interface Prediction {
  readonly classIndex: number;
  readonly label: string | undefined;
  readonly probability: number;
}

/** The heatmap and overlay of one (image, target) pair. */
export interface ExplanationItem {
  readonly image: number;
  readonly classIndex: number;
  readonly label: string | undefined;
  readonly probability: number;
  /** Normalised heatmap in [0, 1], heatmapSize, row-major. */
  readonly heatmap: Float32Array;
  /** RGBA8 overlay at the image's size, or null when overlay: false. */
  readonly overlay: Uint8Array | null;
}

/** Stage times in milliseconds. */
export interface ExplainTimings {
  readonly preprocess: number;
  readonly model: number;
  readonly cam: number;
  readonly readback: number;
  readonly total: number;
}

/** Everything one explain call produced. */
export interface Explanation {
  readonly method: MethodName;
  /** The target layer, or the target layers joined by commas. */
  readonly layer: string;
  /** Multi-layer explanations and augmentation smoothing: the target layers. */
  readonly layers?: readonly string[];
  /** Set when several layers were fused: how. */
  readonly fuse?: FuseMode;
  /** Set when the map was smoothed by test-time augmentation. */
  readonly augSmooth?: boolean;
  readonly automaticLayer: boolean;
  /** Set when the layer's map was obtained otherwise than by reading its output (a converter rewrite), saying how. */
  readonly layerNote?: string;
  readonly heatmapSize: Size2D;
  readonly imageSize: Size2D;
  readonly items: readonly ExplanationItem[];
  /** Top-5 predictions per image. */
  readonly predictions: readonly (readonly Prediction[])[];
  readonly timings: ExplainTimings;
  /** This method's own milliseconds: its kernels, and its own model passes (Score-CAM's masked forwards). */
  readonly methodMs?: number;
}

const engines = new WeakMap<GPUDevice, CamEngine>();

/**
 * Explains a TF.js model's predictions with any CAM method. Holds the split model and a
 * reusable mask buffer between calls; `dispose()` frees what it created.
 *
 * @example
 * const explainer = new Explainer(await tf.loadLayersModel(url), { labels });
 * const { items, predictions } = await explainer.explain(imageBitmapPixels, { method: 'gradcam++' });
 * explainer.dispose();
 */
export class Explainer {
  private splitModel: SplitModel | null = null;
  private multiSplit: MultiSplit | null = null;
  private readonly maskSlot: MaskBufferSlot = { buffer: null };

  constructor(
    readonly model: ExplainableModel,
    readonly options: ExplainerOptions = {},
  ) {
    if (!(model instanceof tf.LayersModel) && !(model instanceof tf.GraphModel)) {
      throw new InvalidInputError('model must be a tf.LayersModel or tf.GraphModel (from loadLayersModel / loadGraphModel)');
    }
  }

  /** The target layers when several were given (one listed layer counts too), else null. */
  get layerList(): readonly string[] | null {
    const { layer, layers } = this.options;
    if (layers !== undefined && layer !== undefined) throw new InvalidInputError('give the target layers as layer or as layers, not both');
    const list = layers ?? (Array.isArray(layer) ? (layer as readonly string[]) : null);
    if (list) checkLayerList(list);
    return list;
  }

  /** The model cut at every target layer, or at the one layer for augmentation smoothing (built on first use). */
  get multi(): MultiSplit {
    const list = this.layerList;
    this.multiSplit ??= list ? splitMulti(this.model, list, { inputSize: this.options.inputSize }) : fromSplit(this.split);
    return this.multiSplit;
  }

  /** The model cut at its target layer (built on first use); with several layers, at the last one listed. */
  get split(): SplitModel {
    const list = this.layerList;
    if (list) return this.multi.splits[list.length - 1]!;
    const options = { layer: this.options.layer as string | undefined, inputSize: this.options.inputSize };
    this.splitModel ??= this.model instanceof tf.GraphModel ? splitGraphModel(this.model, options) : splitLayersModel(this.model, options);
    return this.splitModel;
  }

  /** The engine: the given one, or one on the TF.js webgpu backend's device. */
  get engine(): CamEngine {
    if (this.options.engine) return this.options.engine;
    const device = backendDevice();
    if (!device) {
      throw new InvalidInputError(
        `TF.js runs on the '${tf.getBackend()}' backend, which has no GPUDevice to share: pass { engine: new CamEngine(device) } ` +
          "(activations are then uploaded once), or use tf.setBackend('webgpu')",
      );
    }
    let engine = engines.get(device);
    if (!engine) {
      engine = new CamEngine(device);
      engines.set(device, engine);
    }
    return engine;
  }

  /**
   * Explains one image or a batch of same-sized images with one method. Every
   * intermediate tensor is disposed. For several methods use explainMany, which shares
   * the model's forward and backward passes between them.
   */
  async explain(images: ImageInput | readonly ImageInput[], request: ExplainRequest): Promise<Explanation> {
    const { method, ...rest } = request;
    if (typeof method !== 'string' || !isMethodName(method)) throw new InvalidInputError(`unknown method '${String(method)}'; use one of ${Object.keys(METHODS).join(', ')}`);
    const { explanations } = await this.explainMany(images, { ...rest, methods: [method] });
    return explanations[0]!;
  }

  /**
   * Explains images with several methods from one forward pass and one backward pass per
   * target (Score-CAM's masked forwards once, CAM from the dense kernel): every method's
   * maps are computed from the same activations and gradients on the GPU. The heatmaps
   * equal those of separate `explain` calls.
   *
   * @example
   * const { explanations, timings, passes } = await explainer.explainMany(image, { methods: ['gradcam', 'gradcam++', 'scorecam'] });
   * for (const e of explanations) console.log(e.method, e.items[0].heatmap.length);
   */
  async explainMany(images: ImageInput | readonly ImageInput[], request: ExplainManyRequest): Promise<ManyExplanations> {
    const list = Array.isArray(images) ? (images as readonly ImageInput[]) : [images as ImageInput];
    // Several layers or augmentation smoothing: every layer's A and G from the (augmented) batch, fused on the GPU.
    if (this.layerList || request.augSmooth === true) {
      // Not combined yet: refused rather than silently left out of the fused maps.
      if (request.eigenSmooth) throw new InvalidInputError('eigenSmooth is not combined with several layers or augSmooth yet: explain one layer without augSmooth');
      return explainFused({ multi: this.multi, engine: this.engine, labels: this.options.labels, preprocess: this.options.preprocess ?? UNIT_SCALE }, list, request);
    }
    if (request.fuse !== undefined) throw new InvalidInputError("fuse combines several layers' maps: give the Explainer several layers (layer: ['a', 'b'])");
    return explainMany(
      { split: this.split, engine: this.engine, labels: this.options.labels, preprocess: this.options.preprocess ?? UNIT_SCALE, maskSlot: this.maskSlot },
      list,
      request,
    );
  }

  /** Frees the mask buffer; the model and a shared engine stay the caller's. */
  dispose(): void {
    this.maskSlot.buffer?.destroy();
    this.maskSlot.buffer = null;
    this.splitModel?.dispose();
    this.splitModel = null;
    this.multiSplit?.dispose();
    this.multiSplit = null;
  }
}

/** One-shot options: the model, the image(s) and the request together. */
export interface ExplainOptions extends ExplainerOptions, ExplainRequest {
  readonly model: ExplainableModel;
  readonly image: ImageInput | readonly ImageInput[];
}

/**
 * Explains a model's prediction on an image in one call, disposing every intermediate.
 *
 * @example
 * const { items, predictions } = await explain({ model, image: { data: rgba, width, height }, method: 'gradcam' });
 * console.log(predictions[0][0].label, items[0].heatmap);
 */
export async function explain(options: ExplainOptions): Promise<Explanation> {
  const { model, image, layer, layers, labels, preprocess, inputSize, engine, ...request } = options;
  const explainer = new Explainer(model, {
    ...(layer !== undefined ? { layer } : {}),
    ...(layers !== undefined ? { layers } : {}),
    ...(labels ? { labels } : {}),
    ...(preprocess ? { preprocess } : {}),
    ...(inputSize ? { inputSize } : {}),
    ...(engine ? { engine } : {}),
  });
  try {
    return await explainer.explain(image, request);
  } finally {
    explainer.dispose();
  }
}
