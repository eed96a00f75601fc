import * as tf from '@tensorflow/tfjs';
import { colormapTable, heatmapPeak, METHODS } from '@wgcam/core';
import { colormapOverlay, normalizedHeat, referenceHeatmaps } from '@wgcam/core/reference';
import { fixedInputShape, toModelInput, type SplitModel } from '@wgcam/core/tfjs';
import { fitWithin, frameReady, frameSize, type FrameSource, type PixelSize } from '@wgcam/web-adapter';
import type { LoadedModel } from '../model/loaded-model.js';
import type { FrameExplainer } from './frame-explainer.js';
import { LayerSplits } from './layer-splits.js';
import type { ExplainerCounters, FrameReport, Prediction, ProbedFrame } from './live-explainer.js';
import { forwardPass, gradientPass } from './model-passes.js';
import type { ExplainSettings } from './settings.js';

/** Frames are shrunk to at most this many pixels a side before explaining (as on the GPU path). */
const MAX_IMAGE_SIDE = 640;

function labelOf(labels: readonly string[] | undefined, classIndex: number): string {
  return labels?.[classIndex] ?? `class ${classIndex}`;
}

async function floats(tensor: tf.Tensor): Promise<Float32Array> {
  const data = await tensor.data();
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/**
 * The page without WebGPU: the frame is drawn into a 2-D canvas and read as pixels, the
 * model runs on the active TF.js backend (wasm), and the map, its colormap and the overlay
 * are computed on the CPU by the core's float64 reference pipeline (the formulas the GPU
 * kernels are tested against), then put into the page's canvas with a 2-D context.
 * Methods that need masked forward passes every frame (Score-CAM and its kin) are left to
 * the WebGPU path.
 *
 * @example
 * const live = new CanvasExplainer(loaded, canvas);
 * const report = await live.render(bitmap, settings);
 */
export class CanvasExplainer implements FrameExplainer {
  private readonly splits: LayerSplits;
  private split: SplitModel;
  private readonly scratch: CanvasRenderingContext2D;
  private readonly output: CanvasRenderingContext2D;
  private probeWanted: ((probe: ProbedFrame) => void) | null = null;

  constructor(
    readonly loaded: LoadedModel,
    canvas: HTMLCanvasElement,
  ) {
    this.splits = new LayerSplits(loaded.model);
    this.split = this.splits.get(null);
    const [, , channels] = fixedInputShape(this.split);
    if (channels !== 1 && channels !== 3) throw new Error(`the model takes ${channels}-channel input; the demo feeds RGB (3) or grayscale (1) frames`);
    const output = canvas.getContext('2d');
    if (!output) throw new Error('the output canvas cannot give a 2-D context (it already has a WebGPU one)');
    this.output = output;
    const scratch = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    if (!scratch) throw new Error('no 2-D canvas context for reading frames');
    this.scratch = scratch;
  }

  get layers(): readonly string[] {
    return this.splits.names;
  }

  get automaticLayer(): string {
    return this.splits.automatic;
  }

  get layer(): string {
    return this.split.layer;
  }

  get inputShape(): readonly [number, number, number] {
    return fixedInputShape(this.split);
  }

  get classes(): number {
    return this.split.classes;
  }

  get timesOnGpu(): boolean {
    return false;
  }

  get videoPath(): string {
    return 'canvas2d';
  }

  get counters(): ExplainerCounters {
    return { inputTextures: 0, inputBuffers: 0 };
  }

  setLayer(layer: string | null): void {
    this.split = this.splits.get(layer);
  }

  probeNextFrame(): Promise<ProbedFrame> {
    return new Promise((resolve) => (this.probeWanted = resolve));
  }

  async render(source: FrameSource, settings: ExplainSettings): Promise<FrameReport | null> {
    if (!frameReady(source)) return null;
    const started = performance.now();
    const imageSize = fitWithin(frameSize(source), MAX_IMAGE_SIDE);
    const rgba = this.readPixels(source, imageSize);
    const x = toModelInput([{ data: rgba, width: imageSize.width, height: imageSize.height }], fixedInputShape(this.split), settings.inputRange);
    const afterInput = performance.now();
    const needs = METHODS[settings.method].needs;
    if (needs === 'scores') {
      x.dispose();
      throw new Error(`${settings.method} is not offered without WebGPU here (it runs masked forward passes every frame); pick a gradient or activation method`);
    }
    const target = settings.target === 'top1' || settings.target < this.split.classes ? settings.target : 'top1';
    const owned: tf.Tensor[] = [x];
    try {
      const withGradients = needs === 'gradients' ? gradientPass(this.split, x, target) : null;
      const pass = withGradients ?? forwardPass(this.split, x);
      owned.push(pass.activations, pass.logits, pass.probabilities);
      if (withGradients) owned.push(withGradients.gradients);
      const probs = await floats(pass.probabilities);
      const logits = await floats(pass.logits);
      const explainedIndex = target === 'top1' ? logits.indexOf(Math.max(...logits)) : target;
      const activations = { data: await floats(pass.activations), shape: pass.activations.shape };
      const gradients = withGradients ? { data: await floats(withGradients.gradients), shape: withGradients.gradients.shape } : undefined;
      let denseKernel: { data: Float32Array; shape: readonly number[] } | undefined;
      if (needs === 'dense-kernel') {
        const kernel = this.split.denseKernel();
        if (typeof kernel === 'string') throw new Error(kernel);
        // The split keeps its kernel tensor: read, not disposed.
        denseKernel = { data: await floats(kernel), shape: kernel.shape };
      }
      const afterModel = performance.now();
      const reference = referenceHeatmaps({
        method: settings.method,
        activations,
        ...(gradients ? { gradients } : {}),
        ...(denseKernel ? { denseKernel, targets: explainedIndex } : {}),
      } as Parameters<typeof referenceHeatmaps>[0]);
      const feature = { height: reference.dims.height, width: reference.dims.width };
      const featureHeat = normalizedHeat(reference.rawMaps, 1, feature, feature, 'output');
      const heat = normalizedHeat(reference.rawMaps, 1, feature, { height: imageSize.height, width: imageSize.width }, 'output');
      const overlay = colormapOverlay(heat, colormapTable(settings.colormap), rgba, 1, 1, imageSize.width * imageSize.height, settings.alpha);
      const afterCam = performance.now();
      this.draw(overlay, imageSize);
      const done = performance.now();
      const predictions = Array.from(probs, (probability, classIndex): Prediction => ({ classIndex, label: labelOf(this.loaded.labels, classIndex), probability })).sort((a, b) => b.probability - a.probability);
      const explained = { classIndex: explainedIndex, label: labelOf(this.loaded.labels, explainedIndex), probability: probs[explainedIndex] ?? 0 };
      const heatmap = Float32Array.from(featureHeat);
      const { x: cx, y: cy } = heatmapPeak(heatmap, feature.width);
      const probe = {
        heatmap,
        heatmapSize: { width: feature.width, height: feature.height },
        image: rgba,
        imageSize,
        peak: { x: ((cx + 0.5) * imageSize.width) / feature.width, y: ((cy + 0.5) * imageSize.height) / feature.height },
        explained,
      };
      const deliver = this.probeWanted;
      this.probeWanted = null;
      deliver?.(probe);
      return {
        predictions: predictions.slice(0, 5),
        explained,
        timings: { source: 'cpu', input: afterInput - started, model: afterModel - afterInput, cam: afterCam - afterModel, draw: done - afterCam, total: done - started },
        imageSize,
        probe,
      };
    } finally {
      tf.dispose(owned);
    }
  }

  dispose(): void {
    this.splits.dispose();
  }

  private readPixels(source: FrameSource, size: PixelSize): Uint8Array {
    const canvas = this.scratch.canvas;
    if (canvas.width !== size.width || canvas.height !== size.height) {
      canvas.width = size.width;
      canvas.height = size.height;
    }
    if (source instanceof ImageData) {
      this.scratch.putImageData(source, 0, 0);
    } else {
      this.scratch.drawImage(source as CanvasImageSource, 0, 0, size.width, size.height);
    }
    const data = this.scratch.getImageData(0, 0, size.width, size.height).data;
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  private draw(overlay: Uint8Array, size: PixelSize): void {
    const canvas = this.output.canvas;
    if (canvas.width !== size.width || canvas.height !== size.height) {
      canvas.width = size.width;
      canvas.height = size.height;
    }
    const pixels = new Uint8ClampedArray(overlay.length);
    pixels.set(overlay);
    this.output.putImageData(new ImageData(pixels, size.width, size.height), 0, 0);
  }
}
