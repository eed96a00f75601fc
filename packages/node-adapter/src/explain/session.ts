import { basename, extname } from 'node:path';
import { GpuError, InvalidInputError } from '@wgcam/core';
import { Explainer, type ExplainableModel } from '@wgcam/core/tfjs';
import { CodecPool } from '../io/codec-pool.js';
import { flattenImage } from '../io/background.js';
import { checkImageSize, ImageFormatError, type RgbaImage } from '../io/images.js';
import { loadModel } from '../model-loader.js';
import { assertBackend, openModelRuntime, type ModelRuntime } from '../model-runtime.js';
import { expandInputs } from './inputs.js';
import { checkLabelCount } from './labels.js';
import { resolveModelConfig, resolveModelPath, type ModelConfig } from './model-config.js';
import { outputStems } from './outputs.js';
import { runPipeline, type ImageSource, type PipelineOutcome, type Recovery } from './pipeline.js';
import { BUNDLED_MODEL } from './bundled.js';
import { runSettings } from './settings.js';
import type { BatchOptions, ImageExplanation, ImageReport, ModelOptions, RunOptions } from './types.js';

function checkPixels(pixels: RgbaImage, name: string): void {
  const given = pixels as Partial<RgbaImage> | undefined;
  const { width, height } = given ?? {};
  const data: unknown = given?.data;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width! < 1 || height! < 1) {
    throw new ImageFormatError(`image size ${String(width)}×${String(height)} is not a positive whole size`);
  }
  checkImageSize(name, width!, height!);
  const expected = width! * height! * 4;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray) || data.length !== expected) {
    const got = data instanceof Uint8Array || data instanceof Uint8ClampedArray ? `${data.length} bytes` : typeof data;
    throw new ImageFormatError(`pixels must be RGBA bytes (Uint8Array), ${width}×${height}×4 = ${expected} of them; got ${got}`);
  }
}

/** The explainer a session runs: its model cut as the config says, on the runtime's engine. */
function makeExplainer(model: ExplainableModel, config: ModelConfig, runtime: ModelRuntime): Explainer {
  return new Explainer(model, {
    // 'a,b' names several layers (no Keras layer or graph node name has a comma).
    ...(config.layer !== undefined ? { layer: config.layer.includes(',') ? config.layer.split(',').map((l) => l.trim()) : config.layer } : {}),
    ...(config.labels ? { labels: config.labels } : {}),
    preprocess: config.preprocess,
    ...(config.inputSize ? { inputSize: config.inputSize } : {}),
    ...(runtime.engine ? { engine: runtime.engine } : {}),
  });
}

function rethrowFirst(outcome: PipelineOutcome): ImageExplanation {
  const error = outcome.errors[0];
  if (error) throw error;
  const explanation = outcome.explanations[0];
  if (!explanation) throw new Error('the image was neither explained nor failed; this is a bug in wgcam');
  return explanation;
}

/**
 * A model loaded once and explained many times, on the same code path as `wgcam explain`.
 * Calls on one session run one after another (the model's GPU buffers are reused).
 *
 * @example
 * const session = await ExplainSession.open({ model: 'models/shapes-cnn/model.json' });
 * const result = await session.explainFile('samples/star.png', { method: 'gradcam++', out: 'out' });
 * console.log(result.label, result.probability, result.outputs);
 * await session.dispose();
 */
export class ExplainSession {
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private readonly codecs = CodecPool.create();

  private constructor(
    private current: Explainer,
    /** The model.json path, when the session loaded the model itself. */
    readonly modelPath: string | undefined,
    private ownedModel: ExplainableModel | null,
    private currentRuntime: ModelRuntime,
    /** Labels, preprocessing, layer and input size, and where each came from. */
    readonly config: ModelConfig,
    private readonly options: ModelOptions,
  ) {}

  /** The model cut at its layer, on the session's current engine (renewed after a lost device). */
  get explainer(): Explainer {
    return this.current;
  }

  /** Where TF.js runs the model (see ModelOptions.backend) and the session's engine. */
  get runtime(): ModelRuntime {
    return this.currentRuntime;
  }

  /**
   * Starts TF.js on the session's backend (ModelOptions.backend; 'auto' picks webgpu on a
   * hardware GPU, wasm on a software adapter), loads the model and its labels, and cuts it.
   * The backend is per process: a second open session asking for another one throws
   * BackendConflictError.
   */
  static async open(options: ModelOptions = {}): Promise<ExplainSession> {
    const runtime = await openModelRuntime({ backend: options.backend, software: options.software });
    const given = typeof options.model === 'object' ? options.model : null;
    const modelPath = given ? undefined : resolveModelPath((options.model as string | undefined) ?? BUNDLED_MODEL);
    const model =
      given ??
      (await loadModel(modelPath!).catch((error: unknown) => {
        runtime.release();
        throw error;
      }));
    try {
      const config = await resolveModelConfig(options, modelPath);
      const explainer = makeExplainer(model, config, runtime);
      // Cut now, so a bad layer name or a label list of the wrong length fails the open, not the first image.
      if (config.labels) checkLabelCount(config.labels, explainer.split.classes, config.origins.find((o) => o.startsWith('labels')) ?? 'the labels');
      explainer.split;
      return new ExplainSession(explainer, modelPath, given ? null : model, runtime, config, options);
    } catch (error) {
      if (!given) model.dispose();
      runtime.release();
      throw error;
    }
  }

  /** The layer (or node) the explanations are taken at, and whether it was chosen automatically. */
  get layer(): { name: string; automatic: boolean; note?: string } {
    if (this.explainer.layerList) return { name: this.explainer.multi.layers.join(','), automatic: false };
    const split = this.explainer.split;
    return { name: split.layer, automatic: split.automatic, ...(split.note ? { note: split.note } : {}) };
  }

  /**
   * Explains RGBA pixels; writes files only when `out` is given (named after `name`).
   *
   * @example
   * const { label, methods } = await session.explainImage({ data, width, height }, { method: 'all' });
   */
  async explainImage(pixels: RgbaImage, options: RunOptions & { name?: string } = {}): Promise<ImageExplanation> {
    const settings = runSettings(options);
    const name = options.name ?? 'image';
    checkPixels(pixels, name);
    const opaque = flattenImage(pixels, settings.background);
    const source: ImageSource = { name, stem: basename(name, extname(name)), load: async () => ({ value: opaque, ms: 0 }) };
    return rethrowFirst(await this.exclusive(() => runPipeline(this.explainer, [source], settings, this.codecs, true, undefined, this.recovery)));
  }

  /**
   * Decodes an image file (PNG, JPEG, WebP, AVIF, GIF, TIFF) and explains it; throws the typed error of a missing,
   * corrupt or oversized file, or of an output that cannot be written.
   *
   * @example
   * const result = await session.explainFile('samples/star.png', { out: 'wgcam-out' });
   */
  async explainFile(path: string, options: RunOptions = {}): Promise<ImageExplanation> {
    const settings = runSettings(options);
    const source: ImageSource = { name: path, stem: basename(path, extname(path)), load: () => this.codecs.decodeFile(path, settings.background) };
    return rethrowFirst(await this.exclusive(() => runPipeline(this.explainer, [source], settings, this.codecs, true, undefined, this.recovery)));
  }

  /**
   * Explains images and folders (PNG, JPEG, WebP, AVIF, GIF, TIFF; recursively, skipping
   * the output folder) in GPU batches, writing each one's
   * files to `out`. One image's failure never stops the others: check each report's `ok`.
   *
   * @example
   * const reports = await session.explainFiles(['samples'], { method: 'all', out: 'wgcam-out', batch: 8 });
   * const failed = reports.filter((r) => !r.ok);
   */
  async explainFiles(paths: readonly string[], options: BatchOptions = {}): Promise<ImageReport[]> {
    const settings = runSettings(options);
    const inputs = await expandInputs(paths, settings.out !== undefined ? { skip: [settings.out] } : {});
    const stems = outputStems(inputs.map((i) => i.path));
    const sources: ImageSource[] = inputs.map((input, i) => ({
      name: input.path,
      stem: stems[i]!,
      ...(input.problem ? { problem: new ImageFormatError(input.problem) } : {}),
      load: () => this.codecs.decodeFile(input.path, settings.background),
    }));
    options.onStart?.(sources.length);
    const outcome = await this.exclusive(() => runPipeline(this.explainer, sources, settings, this.codecs, false, options.onProgress, this.recovery));
    return outcome.reports;
  }

  /**
   * Waits for calls in progress, then frees the cut model, the codec threads and, when the
   * session loaded it, the model's weights. Later calls are refused.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    this.explainer.dispose();
    if (this.ownedModel) this.ownedModel.dispose();
    this.runtime.release();
    await this.codecs.destroy();
  }

  /** How the pipeline renews the session between groups of a batch when a device was lost. */
  private readonly recovery: Recovery = { usable: () => this.runtime.usable(), renew: () => this.renew() };

  /**
   * Replaces a runtime whose device was lost or whose engine was destroyed: a new device,
   * TF.js backend and engine, the model loaded again when its weights were on the lost device.
   */
  private async renew(): Promise<Explainer> {
    const old = this.runtime;
    this.current.dispose();
    old.release();
    const runtime = await openModelRuntime({ backend: this.options.backend, software: this.options.software });
    try {
      let model: ExplainableModel = this.current.model;
      if (old.modelDevice !== null && runtime.modelDevice !== old.modelDevice) {
        // TF.js's webgpu device was replaced: the model's weights went with the old one.
        if (!this.modelPath || !this.ownedModel) {
          throw new GpuError(
            "the GPU device TF.js ran this model on was lost, and the model's weights with it; this session was given a loaded model, " +
              'so it cannot load it again: load the model again and open a new session (or pass its model.json path)',
          );
        }
        this.ownedModel.dispose();
        this.ownedModel = null;
        model = await loadModel(this.modelPath);
        this.ownedModel = model;
      }
      this.current = makeExplainer(model, this.config, runtime);
      this.currentRuntime = runtime;
      return this.current;
    } catch (error) {
      // The old runtime stays in place, unusable: the next call tries again.
      runtime.release();
      throw error;
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new InvalidInputError('this ExplainSession was disposed; open a new one'));
    const checked = async (): Promise<T> => {
      // A device lost (or an engine destroyed) since the last call: this call runs on new ones.
      if (!this.runtime.usable()) await this.renew();
      assertBackend(this.runtime);
      return work();
    };
    const run = this.queue.then(checked, checked);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
