import * as tf from '@tensorflow/tfjs';
import type { ColormapName } from '../colormaps.js';
import type { OutputRequest } from '../output-plan.js';
import { CamEngine } from '../engine.js';
import { InvalidInputError } from '../errors.js';
import type { Size2D } from '../inputs.js';
import { isMethodName, METHODS, type MethodName } from '../methods.js';
import type { CamResult } from '../result.js';
import { ModelError } from './errors.js';
import { targetGradients } from './gradients.js';
import { runScoreCam, type MaskBufferSlot, type ScoreCamOptions } from './scorecam-runner.js';
import { checkImages, rgbaBytes, toModelInput, UNIT_SCALE, type ImageInput, type Preprocess } from './images.js';
import { splitGraphModel } from './split-graph.js';
import { splitLayersModel } from './split-layers.js';
import type { SplitModel } from './split-model.js';
import { resolveTargetClasses, type TargetRequest } from './targets.js';
import { backendDevice, bridgeTensor, flushBackend, type BridgedTensor } from './tensor-bridge.js';

/** A model TF.js users already have. */
export type ExplainableModel = tf.LayersModel | tf.GraphModel;

/** Options fixed for an Explainer's lifetime. */
export interface ExplainerOptions {
  /** Target layer (LayersModel) or node (GraphModel); the last 4-D one when omitted. */
  readonly layer?: string;
  /** Class names, index-aligned with the model's outputs. */
  readonly labels?: readonly string[];
  /** Pixel preprocessing; pixels / 255 by default. */
  readonly preprocess?: Preprocess;
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
  /** Heatmap size: the image's (default), the model input's, the feature map's, or explicit. */
  readonly size?: 'image' | 'input' | 'feature' | Size2D;
  /** Draw the overlay on the image (default true). */
  readonly overlay?: boolean;
  /** Score-CAM: masked inputs per forward pass (default 32) and weighting variant. */
  readonly scoreCam?: ScoreCamOptions;
  /** Wait for the GPU between stages so `timings` split model and CAM time (costs a sync each). */
  readonly profile?: boolean;
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
  readonly heatmapSize: Size2D;
  readonly imageSize: Size2D;
  readonly items: readonly ExplanationItem[];
  /** Top-5 predictions per image. */
  readonly predictions: readonly (readonly Prediction[])[];
  readonly timings: ExplainTimings;
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
    this.splitModel ??= this.model instanceof tf.GraphModel ? splitGraphModel(this.model, this.options.layer) : splitLayersModel(this.model, this.options.layer);
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

  /** Explains one image or a batch of same-sized images. Every intermediate tensor is disposed. */
  async explain(images: ImageInput | readonly ImageInput[], request: ExplainRequest): Promise<Explanation> {
    const list = Array.isArray(images) ? (images as readonly ImageInput[]) : [images as ImageInput];
    if (!isMethodName(request.method)) throw new InvalidInputError(`unknown method '${String(request.method)}'; use one of ${Object.keys(METHODS).join(', ')}`);
    const imageSize = checkImages(list);
    const split = this.split;
    const engine = this.engine;
    const labels = this.options.labels;
    const sync = async (): Promise<void> => {
      if (request.profile) {
        flushBackend();
        await engine.device.queue.onSubmittedWorkDone();
      }
    };
    const owned: tf.Tensor[] = [];
    const bridged: BridgedTensor[] = [];
    let result: CamResult | null = null;
    const t0 = tf.util.now();
    try {
      const input = toModelInput(list, split.inputShape, this.options.preprocess ?? UNIT_SCALE);
      owned.push(input);
      await sync();
      const t1 = tf.util.now();
      const [activations, logits] = tf.tidy(() => {
        const out = split.forward(input);
        return [out.activations, out.logits] as const;
      });
      owned.push(activations, logits);
      const targets = await resolveTargetClasses(request.target, logits, labels);
      const heatmapSize = this.heatmapSize(request.size, imageSize, activations);
      const outputs: OutputRequest = {
        size: heatmapSize,
        ...(request.overlay === false ? {} : { overlay: { image: { data: await rgbaBytes(list), width: imageSize.width, height: imageSize.height }, ...(request.colormap ? { colormap: request.colormap } : {}), ...(request.alpha !== undefined ? { alpha: request.alpha } : {}) } }),
      };
      const a = await bridgeTensor(activations, engine.device);
      bridged.push(a);
      let tModel: number;
      const needs = METHODS[request.method].needs;
      if (needs === 'gradients') {
        const gradients = targetGradients(split, activations, input, targets, request.score ?? 'logit');
        owned.push(gradients);
        const g = await bridgeTensor(gradients, engine.device);
        bridged.push(g);
        await sync();
        tModel = tf.util.now();
        flushBackend();
        result = engine.compute({ method: request.method, activations: a.source, gradients: g.source, ...outputs });
      } else if (needs === 'dense-kernel') {
        const kernel = split.denseKernel();
        if (typeof kernel === 'string') throw new ModelError(kernel);
        const k = await bridgeTensor(kernel, engine.device);
        bridged.push(k);
        await sync();
        tModel = tf.util.now();
        flushBackend();
        result = engine.compute({ method: 'cam', activations: a.source, denseKernel: k.source, targets, ...outputs });
      } else {
        const x = await bridgeTensor(input, engine.device);
        bridged.push(x);
        result = await runScoreCam(split, engine, a, x, targets, request.scoreCam ?? {}, outputs, this.maskSlot);
        tModel = tf.util.now(); // Score-CAM's masked forwards are its model time, interleaved with its kernels
      }
      await sync();
      const t2 = tf.util.now();
      const probabilities = tf.softmax(logits);
      owned.push(probabilities);
      const [read, probs] = await Promise.all([result.read(), probabilities.array() as Promise<number[][]>]);
      const t3 = tf.util.now();
      const pixels = heatmapSize.height * heatmapSize.width;
      const overlayPixels = imageSize.height * imageSize.width;
      const items: ExplanationItem[] = [];
      targets.forEach((row, b) =>
        row.forEach((classIndex, k) => {
          const m = b * row.length + k;
          items.push({
            image: b,
            classIndex,
            label: labels?.[classIndex],
            probability: probs[b]?.[classIndex] ?? 0,
            heatmap: read.heatmap!.slice(m * pixels, (m + 1) * pixels),
            overlay: read.overlay ? read.overlay.slice(m * overlayPixels * 4, (m + 1) * overlayPixels * 4) : null,
          });
        }),
      );
      const predictions = probs.map((p) =>
        p
          .map((probability, classIndex) => ({ classIndex, label: labels?.[classIndex], probability }))
          .sort((x, y) => y.probability - x.probability)
          .slice(0, 5),
      );
      return {
        method: request.method,
        layer: split.layer,
        automaticLayer: split.automatic,
        heatmapSize,
        imageSize,
        items,
        predictions,
        timings: { preprocess: t1 - t0, model: tModel - t1, cam: t2 - tModel, readback: t3 - t2, total: t3 - t0 },
      };
    } finally {
      result?.release();
      for (const b of bridged) b.release();
      tf.dispose(owned);
    }
  }

  /** Frees the mask buffer; the model and a shared engine stay the caller's. */
  dispose(): void {
    this.maskSlot.buffer?.destroy();
    this.maskSlot.buffer = null;
    this.splitModel?.dispose();
    this.splitModel = null;
  }

  private heatmapSize(size: ExplainRequest['size'], image: Size2D, activations: tf.Tensor4D): Size2D {
    if (size === undefined || size === 'image') return image;
    if (size === 'input') return { height: this.split.inputShape[0], width: this.split.inputShape[1] };
    if (size === 'feature') return { height: activations.shape[1], width: activations.shape[2] };
    return size;
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
  const { model, image, layer, labels, preprocess, engine, ...request } = options;
  const explainer = new Explainer(model, { ...(layer !== undefined ? { layer } : {}), ...(labels ? { labels } : {}), ...(preprocess ? { preprocess } : {}), ...(engine ? { engine } : {}) });
  try {
    return await explainer.explain(image, request);
  } finally {
    explainer.dispose();
  }
}
