import * as tf from '@tensorflow/tfjs';
import { METHODS, type CamResult, type OutputRequest, type ScoreMethodName } from '@wgcam/core';
import { backendDevice, bridgeTensor, fixedInputShape, flushBackend, type SplitModel } from '@wgcam/core/tfjs';
import { FrameInput, type CanvasPresenter, type FrameSource, type PixelSize } from '@wgcam/web-adapter';
import type { SharedGpu } from '../gpu/shared-gpu.js';
import type { LoadedModel } from '../model/loaded-model.js';
import { copyOut, readFrameProbe, type FrameProbe } from './frame-probe.js';
import { LayerSplits } from './layer-splits.js';
import { cpuTarget, forwardPass, gradientPass } from './model-passes.js';
import { MaskBatch, scoreAllChannels } from './score-cam-pass.js';
import { INPUT_RANGES, type ExplainSettings } from './settings.js';
import { StageClock, type StageTimings } from './stage-clock.js';

/** A class with its probability. */
export interface Prediction {
  readonly classIndex: number;
  readonly label: string;
  readonly probability: number;
}

/** What one rendered frame reports to the page. */
export interface FrameReport {
  /** Top-5 predictions. */
  readonly predictions: readonly Prediction[];
  /** The class the heatmap explains. */
  readonly explained: Prediction;
  readonly timings: StageTimings;
  readonly imageSize: PixelSize;
  /** The heatmap and image of this frame when a probe was asked for. */
  readonly probe: FrameProbe | null;
}

/** A probed frame with the class its heatmap explains. */
export interface ProbedFrame extends FrameProbe {
  readonly explained: Prediction;
}

/** Per-frame GPU objects and tensors the explainer owns, for leak checks. */
export interface ExplainerCounters {
  readonly inputTextures: number;
  readonly inputBuffers: number;
}

/** A tensor handed to the engine (its GPU buffer) and how to let go of it. */
type BridgedTensor = Awaited<ReturnType<typeof bridgeTensor>>;

/** What one frame holds until it is done: tensors to dispose, bridged buffers and the engine's result to release. */
interface FrameResources {
  readonly owned: tf.Tensor[];
  readonly bridged: BridgedTensor[];
  result: CamResult | null;
}

/** What the model stage leaves for the rest of the frame. */
interface ModelStage {
  readonly probabilities: tf.Tensor2D;
  /** The explained class when it was read back (methods without a backward pass); null when chosen on the GPU. */
  readonly explainedIndex: number | null;
}

function labelOf(labels: readonly string[] | undefined, classIndex: number): string {
  return labels?.[classIndex] ?? `class ${classIndex}`;
}

/**
 * The real-time explanation of one model: every frame goes camera → GPU texture → model
 * input (FrameInput) → TF.js forward/backward on the shared device → wgcam engine → canvas,
 * with no pixel ever read back. Holds the split model, the input buffers, the dense kernel
 * (CAM) and the mask batch (Score-CAM) across frames; `dispose()` frees them.
 *
 * @example
 * const live = new LiveExplainer(gpu, loaded, presenter);
 * const report = await live.render(video, settings);
 */
export class LiveExplainer {
  private readonly splits: LayerSplits;
  private split: SplitModel;
  private readonly input: FrameInput;
  private readonly clock: StageClock;
  private kernel: BridgedTensor | null = null;
  private masks: MaskBatch | null = null;
  private probeWanted: ((probe: ProbedFrame) => void) | null = null;

  constructor(
    private readonly gpu: SharedGpu,
    readonly loaded: LoadedModel,
    private readonly presenter: CanvasPresenter,
    options: { readonly cpuTimings?: boolean } = {},
  ) {
    this.splits = new LayerSplits(loaded.model);
    this.split = this.splits.get(null);
    const [height, width, channels] = fixedInputShape(this.split);
    if (channels !== 1 && channels !== 3) throw new Error(`the model takes ${channels}-channel input; the demo feeds RGB (3) or grayscale (1) frames`);
    this.input = new FrameInput(gpu.device, { input: { height, width, channels }, maxImageSide: 640 });
    this.clock = new StageClock(gpu.device, !options.cpuTimings);
  }

  /** Layers the user can pick (LayersModel: the last ones with a 4-D output); empty for graph models. */
  get layers(): readonly string[] {
    return this.splits.names;
  }

  /** The layer picked when none is chosen: the last one with a 4-D output. */
  get automaticLayer(): string {
    return this.splits.automatic;
  }

  /** The layer explained now. */
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
    return this.clock.gpu;
  }

  /** How camera frames reach the GPU ('direct' copy, or 'bitmap' where the browser cannot copy a video element). */
  get videoPath(): string {
    return this.input.videoPath;
  }

  get counters(): ExplainerCounters {
    const c = this.input.counters;
    return { inputTextures: c.textures, inputBuffers: c.buffers };
  }

  /** Moves the explanation to another layer (null: the automatic choice). */
  setLayer(layer: string | null): void {
    this.split = this.splits.get(layer);
    this.kernel?.release();
    this.kernel = null;
    this.masks?.destroy();
    this.masks = null;
  }

  /** Resolves with the heatmap, image and explained class of the next rendered frame. */
  probeNextFrame(): Promise<ProbedFrame> {
    return new Promise((resolve) => (this.probeWanted = resolve));
  }

  /**
   * Explains one frame and draws it into the canvas; resolves once the frame's GPU work
   * is done (so a frame loop never queues a second one). Null while the source has no frame.
   */
  async render(source: FrameSource, settings: ExplainSettings): Promise<FrameReport | null> {
    const clock = this.clock;
    clock.begin();
    this.input.setNormalization(INPUT_RANGES[settings.inputRange].normalization);
    if (!(await this.input.upload(source, clock.inputWrites()))) return null;
    // TF.js on wasm or webgl cannot read the engine's buffer: the model input (a few KB) comes back once.
    const zeroCopy = backendDevice() === this.gpu.device;
    const inputValues = zeroCopy ? null : new Float32Array(await copyOut(this.gpu.device, this.input.inputBuffer, this.input.inputShape.reduce((a, b) => a * b, 4)));
    await clock.lap('input');
    const imageSize = this.input.imageSize;
    const target = settings.target === 'top1' || settings.target < this.split.classes ? settings.target : 'top1';
    const outputs: OutputRequest = {
      heatmap: true, // at feature resolution: tiny, and what a probe reads
      overlay: { image: { data: this.input.imageBuffer!, width: imageSize.width, height: imageSize.height }, colormap: settings.colormap, alpha: settings.alpha },
    };
    const x = (inputValues ? tf.tensor(inputValues, this.input.inputShape, 'float32') : tf.tensor({ buffer: this.input.inputBuffer, zeroCopy: true }, this.input.inputShape, 'float32')) as tf.Tensor4D;
    const frame: FrameResources = { owned: [x], bridged: [], result: null };
    let deliver: ((probe: ProbedFrame) => void) | null = null;
    try {
      const needs = METHODS[settings.method].needs;
      const { probabilities, explainedIndex } =
        needs === 'gradients' ? await this.explainWithGradients(frame, x, settings, target, outputs) : await this.explainForward(frame, x, settings, needs, target, outputs);
      const result = frame.result!;
      await clock.lap('cam');
      const drawWrites = clock.drawWrites();
      this.presenter.draw(result.overlayBuffer!, imageSize, drawWrites ? { timestampWrites: drawWrites } : {});
      deliver = this.probeWanted;
      this.probeWanted = null;
      const probe = this.startProbe(result, imageSize, deliver);
      const [timings, probs, probed] = await Promise.all([clock.finish(), probabilities.data(), probe, result.check()]);
      const predictions = this.predictions(probs);
      const index = explainedIndex ?? (target === 'top1' ? predictions[0]!.classIndex : target);
      const explained = { classIndex: index, label: labelOf(this.loaded.labels, index), probability: probs[index] ?? 0 };
      // Delivered with the class of this very frame, so a test can compare both with a reference.
      if (deliver && probed) {
        deliver({ ...probed, explained });
        deliver = null;
      }
      return { predictions: predictions.slice(0, 5), explained, timings, imageSize, probe: probed };
    } finally {
      // A frame that failed before its probe was read leaves the request for the next frame.
      if (deliver) this.probeWanted ??= deliver;
      frame.result?.release();
      for (const b of frame.bridged) b.release();
      tf.dispose(frame.owned);
    }
  }

  /** Gradient methods: forward + backward in TF.js (target picked on the GPU), then one engine call. */
  private async explainWithGradients(frame: FrameResources, x: tf.Tensor4D, settings: ExplainSettings, target: 'top1' | number, outputs: OutputRequest): Promise<ModelStage> {
    const device = this.gpu.device;
    const pass = gradientPass(this.split, x, target);
    frame.owned.push(pass.activations, pass.logits, pass.probabilities, pass.gradients);
    const a = await bridgeTensor(pass.activations, device);
    frame.bridged.push(a);
    const g = await bridgeTensor(pass.gradients, device);
    frame.bridged.push(g);
    flushBackend();
    await this.clock.lap('model');
    frame.result = this.gpu.engine.compute({ method: settings.method, activations: a.source, gradients: g.source, ...outputs });
    return { probabilities: pass.probabilities, explainedIndex: null };
  }

  /**
   * The methods without a backward pass, by what their row needs: activations only
   * (Eigen-CAM: class-agnostic), the dense kernel (CAM) or masked forward passes
   * (Score-CAM). Forward in TF.js, the class read back, then the engine.
   */
  private async explainForward(
    frame: FrameResources,
    x: tf.Tensor4D,
    settings: ExplainSettings,
    needs: 'activations' | 'dense-kernel' | 'scores',
    target: 'top1' | number,
    outputs: OutputRequest,
  ): Promise<ModelStage> {
    const { device, engine } = this.gpu;
    const pass = forwardPass(this.split, x);
    frame.owned.push(pass.activations, pass.logits, pass.probabilities);
    const explainedIndex = await cpuTarget(pass.logits, target);
    const a = await bridgeTensor(pass.activations, device);
    frame.bridged.push(a);
    switch (needs) {
      case 'activations':
        flushBackend();
        await this.clock.lap('model');
        frame.result = engine.compute({ method: settings.method, activations: a.source, ...outputs });
        break;
      case 'dense-kernel': {
        const kernel = await this.denseKernel();
        flushBackend();
        await this.clock.lap('model');
        frame.result = engine.compute({ method: settings.method, activations: a.source, denseKernel: kernel.source, targets: explainedIndex, ...outputs });
        break;
      }
      case 'scores': {
        const activations = { data: a.source.data as GPUBuffer, shape: a.source.shape };
        this.masks ??= new MaskBatch(device, fixedInputShape(this.split), activations.shape[3] ?? 1, activations.shape);
        // The frame's logits: the baseline some methods subtract (or, Ablation-CAM, divide by).
        const logits = await bridgeTensor(pass.logits, device);
        frame.bridged.push(logits);
        const method = settings.method as ScoreMethodName;
        const session = await scoreAllChannels(engine, this.split, this.masks, activations, { data: this.input.inputBuffer, shape: this.input.inputShape }, explainedIndex, method, { logits: logits.source, x });
        await this.clock.lap('model');
        frame.result = session.finish(outputs);
        break;
      }
    }
    return { probabilities: pass.probabilities, explainedIndex };
  }

  /** Frees what this explainer created; the model and the shared device stay. */
  dispose(): void {
    this.kernel?.release();
    this.masks?.destroy();
    this.splits.dispose();
    this.input.destroy();
    this.clock.destroy();
  }

  private async denseKernel(): Promise<BridgedTensor> {
    if (this.kernel) return this.kernel;
    const kernel = this.split.denseKernel();
    if (typeof kernel === 'string') throw new Error(kernel);
    this.kernel = await bridgeTensor(kernel, this.gpu.device);
    return this.kernel;
  }

  private startProbe(result: CamResult, imageSize: PixelSize, wanted: unknown): Promise<FrameProbe | null> {
    if (!wanted || !result.heatmapBuffer || !result.heatmapSize) return Promise.resolve(null);
    const heatmapSize = { width: result.heatmapSize.width, height: result.heatmapSize.height };
    return readFrameProbe(this.gpu.device, result.heatmapBuffer, heatmapSize, this.input.imageBuffer!, imageSize);
  }

  private predictions(probs: ArrayLike<number>): Prediction[] {
    return Array.from(probs, (probability, classIndex) => ({ classIndex, label: labelOf(this.loaded.labels, classIndex), probability })).sort((a, b) => b.probability - a.probability);
  }
}
