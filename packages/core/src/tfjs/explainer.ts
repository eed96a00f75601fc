import * as tf from '@tensorflow/tfjs';
import type { ColormapName } from '../colormaps.js';
import { CamEngine, type Normalization } from '../engine.js';
import { InvalidInputError, type CancelSignal } from '../errors.js';
import type { Size2D } from '../inputs.js';
import { isMethodName, METHODS, type MethodName } from '../methods.js';
import { explainMany, type ExplainManyRequest, type ManyExplanations } from './explain-methods.js';
import type { MaskBufferSlot, ScoreCamOptions } from './scorecam-runner.js';
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
  /** Target layer (LayersModel) or node (GraphModel); the last 4-D one when omitted. */
  readonly layer?: string;
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
  readonly layer: string;
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
  private readonly maskSlot: MaskBufferSlot = { buffer: null };

  constructor(
    readonly model: ExplainableModel,
    readonly options: ExplainerOptions = {},
  ) {
    if (!(model instanceof tf.LayersModel) && !(model instanceof tf.GraphModel)) {
      throw new InvalidInputError('model must be a tf.LayersModel or tf.GraphModel (from loadLayersModel / loadGraphModel)');
    }
  }

  /** The model cut at its target layer (built on first use). */
  get split(): SplitModel {
    const options = { layer: this.options.layer, inputSize: this.options.inputSize };
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
  const { model, image, layer, labels, preprocess, inputSize, engine, ...request } = options;
  const explainer = new Explainer(model, {
    ...(layer !== undefined ? { layer } : {}),
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
