import { SHAPES_DATASET_SEEDS } from '@wgcam/shapes';
import { CanvasPresenter, FrameLoop, type FrameSource, type FrameTick } from '@wgcam/web-adapter';
import { describeAdapter } from './gpu/adapter-text.js';
import { stopWithin } from './gpu/device-recovery.js';
import { createSharedGpu, type SharedGpu } from './gpu/shared-gpu.js';
import { cameraErrorMessage, closeCamera, openCamera } from './input/camera.js';
import { imageFromFile, shapesSample } from './input/images.js';
import { loadModelFromFiles, loadModelFromUrl } from './model/load-model.js';
import type { LoadedModel } from './model/loaded-model.js';
import { CanvasExplainer } from './pipeline/canvas-explainer.js';
import type { FrameExplainer } from './pipeline/frame-explainer.js';
import { LiveExplainer, type FrameReport } from './pipeline/live-explainer.js';
import { DEFAULT_SETTINGS, type ExplainSettings } from './pipeline/settings.js';
import { fillModelControls, fillStaticControls, readSettings } from './ui/controls.js';
import { acceptDrops, routeFiles } from './ui/drop-target.js';
import type { DemoElements } from './ui/elements.js';
import { errorText, hideMessage, showMessage } from './ui/messages.js';
import { renderPredictions, renderRate, renderTimings } from './ui/report-views.js';

/** Page options (from the URL). */
export interface DemoOptions {
  /** Time stages on the CPU even when the GPU has timestamp queries (`?cpu-timings`). */
  readonly cpuTimings?: boolean;
}

/**
 * The demo page: one shared GPU device, the current model's LiveExplainer, the current
 * frame source (camera or still image) and the frame loop that ties them together.
 *
 * @example
 * const app = new DemoApp(findElements(document), await createSharedGpu());
 * await app.start('models/shapes-cnn/model.json');
 */
export class DemoApp {
  /** Null without WebGPU: the CPU pipeline draws on a 2-D canvas itself. */
  private canvasPresenter: CanvasPresenter | null;
  private frameLoop: FrameLoop;
  /** Frames rendered by loops retired after a device loss (a loop whose last frame never settled). */
  private retiredFrames = 0;
  private sharedGpu: SharedGpu | null;
  /** How the current model was loaded, to load it again on a new device. */
  private reloadModel: (() => Promise<LoadedModel>) | null = null;
  /** Device losses the page recovered from. */
  private recovered = 0;
  private explainer: FrameExplainer | null = null;
  private source: FrameSource | null = null;
  private still: ImageBitmap | null = null;
  private settings: ExplainSettings = DEFAULT_SETTINGS;
  private lastReport: FrameReport | null = null;
  /** Seeds of the shapes samples shown; the first is the data set's sample-image seed. */
  private sampleSeed: number = SHAPES_DATASET_SEEDS.samples;

  constructor(
    readonly ui: DemoElements,
    gpu: SharedGpu | null,
    private readonly options: DemoOptions = {},
    /** Makes a new device, TF.js backend and engine after a device loss. */
    private readonly openGpu: () => Promise<SharedGpu> = createSharedGpu,
  ) {
    this.sharedGpu = gpu;
    this.canvasPresenter = gpu ? new CanvasPresenter(gpu.device, ui.canvas) : null;
    this.frameLoop = this.newLoop();
    fillStaticControls(ui, this.settings);
    this.wireControls();
    if (gpu) this.watchDevice(gpu);
  }

  /** The GPU device and engine in use (a new one after a device loss); null without WebGPU. */
  get gpu(): SharedGpu | null {
    return this.sharedGpu;
  }

  /** Where the overlay is drawn: by the WebGPU engine into a WebGPU canvas, or on the CPU into a 2-D canvas. */
  get overlayPath(): 'webgpu' | 'canvas2d' {
    return this.sharedGpu ? 'webgpu' : 'canvas2d';
  }

  /** A frame explainer for `loaded` on this page's pipeline. */
  private createExplainer(loaded: LoadedModel): FrameExplainer {
    const gpu = this.sharedGpu;
    const presenter = this.canvasPresenter;
    if (!gpu || !presenter) return new CanvasExplainer(loaded, this.ui.canvas);
    return new LiveExplainer(gpu, loaded, presenter, this.options.cpuTimings ? { cpuTimings: true } : {});
  }

  get loop(): FrameLoop {
    return this.frameLoop;
  }

  /** Frames rendered since the page started, across device losses. */
  get frames(): number {
    return this.retiredFrames + this.frameLoop.frames;
  }

  /** Device losses the page has recovered from. */
  get recoveries(): number {
    return this.recovered;
  }

  private newLoop(): FrameLoop {
    return new FrameLoop((tick) => this.renderFrame(tick), { onError: (error) => showMessage(this.ui.frameMessage, errorText(error), 'error') });
  }

  /** Recovers by itself when `gpu`'s device is lost (and it is still the one in use). */
  private watchDevice(gpu: SharedGpu): void {
    void gpu.device.lost.then((info) => {
      if (gpu === this.sharedGpu) void this.recoverFromLoss(info);
    });
  }

  /**
   * After a device loss: says so, drops everything that lived on the old device, makes a
   * new device, TF.js backend and engine, loads the model again (its weights were on the
   * old device), restores the layer, resumes frames and says it recovered.
   */
  private async recoverFromLoss(info: GPUDeviceLostInfo): Promise<void> {
    const ui = this.ui;
    const lostAt = new Date().toLocaleTimeString();
    const what = `The GPU device was lost at ${lostAt} (${info.reason}${info.message ? `: ${info.message}` : ''})`;
    showMessage(ui.gpuStatus, `${what}. Recreating the GPU device, the TF.js backend and the wgcam engine…`, 'error');
    ui.gpuStatus.dataset['state'] = 'recovering';
    document.body.dataset['status'] = 'recovering';
    // A frame in flight on the lost device may never settle: give it a moment, then retire its loop.
    if (!(await stopWithin(this.frameLoop, 3000))) {
      this.retiredFrames += this.frameLoop.frames;
      this.frameLoop = this.newLoop();
    }
    const previous = this.explainer;
    this.explainer = null;
    // Freed while the old TF.js backend is still registered; its GPU objects are gone anyway.
    try {
      previous?.dispose();
      previous?.loaded.model.dispose();
    } catch (error) {
      console.warn('freeing the lost device’s objects:', error);
    }
    try {
      const gpu = await this.openGpu();
      this.sharedGpu = gpu;
      this.watchDevice(gpu);
      this.canvasPresenter = new CanvasPresenter(gpu.device, ui.canvas);
      ui.adapter.textContent = describeAdapter(gpu);
      if (this.reloadModel) {
        const loaded = await this.reloadModel();
        const next = this.createExplainer(loaded);
        if (this.settings.layer !== null) next.setLayer(this.settings.layer);
        this.explainer = next;
      }
      this.recovered += 1;
      hideMessage(ui.frameMessage);
      showMessage(ui.gpuStatus, `${what}. Recovered by itself: new GPU device, TF.js backend, wgcam engine and model; frames resumed.`, 'info');
      ui.gpuStatus.dataset['state'] = 'recovered';
      this.resume();
    } catch (error) {
      showMessage(ui.gpuStatus, `${what}, and the page could not recover: ${errorText(error)}. Reload the page.`, 'error');
      ui.gpuStatus.dataset['state'] = 'failed';
      document.body.dataset['status'] = 'fatal';
    }
  }

  /** The explainer in use (null until a model loaded). */
  get live(): FrameExplainer | null {
    return this.explainer;
  }

  get report(): FrameReport | null {
    return this.lastReport;
  }

  get currentSettings(): ExplainSettings {
    return this.settings;
  }

  /** Loads the first model and starts on a shapes sample image. */
  async start(modelUrl: string): Promise<void> {
    await this.showStill(await shapesSample(this.sampleSeed));
    await this.loadModel(() => loadModelFromUrl(modelUrl));
  }

  /**
   * Loads a model and swaps it in; on failure shows why and keeps the current model
   * running. Resolves true when the new model is in use.
   */
  async loadModel(load: () => Promise<LoadedModel>): Promise<boolean> {
    showMessage(this.ui.modelMessage, 'Loading model…', 'info');
    let loaded: LoadedModel;
    try {
      loaded = await load();
    } catch (error) {
      showMessage(this.ui.modelMessage, `Model not loaded: ${errorText(error)}${this.explainer ? ' — still using the previous model.' : ''}`, 'error');
      return false;
    }
    await this.loop.stop();
    let next: FrameExplainer;
    try {
      next = this.createExplainer(loaded);
    } catch (error) {
      loaded.model.dispose();
      showMessage(this.ui.modelMessage, `Model not usable: ${errorText(error)}${this.explainer ? ' — still using the previous model.' : ''}`, 'error');
      this.resume();
      return false;
    }
    const previous = this.explainer;
    this.explainer = next;
    this.reloadModel = load;
    previous?.dispose();
    previous?.loaded.model.dispose();
    this.settings = { ...readSettings(this.ui), target: 'top1', layer: null, ...(loaded.preprocess ? { inputRange: loaded.preprocess } : {}) };
    if (loaded.preprocess) this.ui.inputRange.value = loaded.preprocess;
    let layerProblem = '';
    if (loaded.layer) {
      try {
        next.setLayer(loaded.layer);
        this.settings = { ...this.settings, layer: next.layer === next.automaticLayer ? null : next.layer };
      } catch (error) {
        layerProblem = `Layer ${loaded.layer} from ${loaded.describedBy ?? 'the model folder'} not used: ${errorText(error)}`;
      }
    }
    fillModelControls(this.ui, loaded.labels, next.classes, next.layers, next.automaticLayer, this.settings);
    const [h, w, c] = next.inputShape;
    const described = loaded.describedBy ? `; preprocessing ${loaded.preprocess ?? 'as chosen'} from ${loaded.describedBy}` : '';
    this.ui.modelInfo.textContent = `${loaded.source} — input ${w}×${h}×${c}, ${next.classes} classes${loaded.labels ? '' : ' (no labels)'}${described}`;
    if (layerProblem) showMessage(this.ui.modelMessage, layerProblem, 'error');
    else hideMessage(this.ui.modelMessage);
    this.resume();
    return true;
  }

  /** Shows a still image (file, sample) instead of the camera. */
  async showStill(bitmap: ImageBitmap): Promise<void> {
    this.stopCamera();
    this.still?.close();
    this.still = bitmap;
    this.setSource(bitmap);
  }

  /** Asks for the camera and explains its frames; explains why when it cannot. */
  async startCamera(): Promise<void> {
    hideMessage(this.ui.cameraMessage);
    this.ui.startCamera.disabled = true;
    try {
      showMessage(this.ui.cameraMessage, 'Waiting for camera permission…', 'info');
      await openCamera(this.ui.video);
      hideMessage(this.ui.cameraMessage);
      this.ui.stopCamera.disabled = false;
      this.setSource(this.ui.video);
    } catch (error) {
      this.ui.startCamera.disabled = false;
      showMessage(this.ui.cameraMessage, cameraErrorMessage(error), 'error');
    }
  }

  /** Turns the camera off and goes back to the last still image. */
  stopCamera(): void {
    if (!(this.ui.video.srcObject instanceof MediaStream)) return;
    closeCamera(this.ui.video);
    this.ui.startCamera.disabled = false;
    this.ui.stopCamera.disabled = true;
    if (this.still) this.setSource(this.still);
  }

  /** The source frames come from now: the camera's video element or a still image. */
  get frameSource(): FrameSource | null {
    return this.source;
  }

  /** Whether frames come from the camera now. */
  get cameraOn(): boolean {
    return this.source === this.ui.video;
  }

  private setSource(source: FrameSource): void {
    this.source = source;
    this.resume();
  }

  /** (Re)starts the frame loop on the current source once a model is loaded. */
  resume(): void {
    if (this.source && this.explainer) this.loop.start(this.source);
  }

  private async renderFrame({ source }: FrameTick): Promise<void> {
    const explainer = this.explainer;
    if (!explainer) return;
    const report = await explainer.render(source, this.settings);
    if (!report) return;
    this.lastReport = report;
    hideMessage(this.ui.frameMessage);
    renderPredictions(this.ui.predictions, report);
    renderTimings(this.ui, report, this.loop.fps, this.frames + 1);
    document.body.dataset['status'] = 'running';
  }

  private wireControls(): void {
    const ui = this.ui;
    const update = (): void => {
      this.settings = readSettings(ui);
      ui.alphaValue.value = this.settings.alpha.toFixed(2);
    };
    for (const control of [ui.method, ui.target, ui.colormap, ui.alpha, ui.inputRange]) control.addEventListener('input', update);
    ui.layer.addEventListener('input', () => {
      update();
      this.changeLayer(this.settings.layer);
    });
    ui.startCamera.addEventListener('click', () => void this.startCamera());
    ui.stopCamera.addEventListener('click', () => this.stopCamera());
    ui.sampleImage.addEventListener('click', () => void shapesSample(++this.sampleSeed).then((b) => this.showStill(b)));
    ui.imageFile.addEventListener('change', () => {
      const file = ui.imageFile.files?.[0];
      if (file) void this.openImage(file);
      ui.imageFile.value = '';
    });
    ui.modelUrlForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const url = ui.modelUrl.value.trim();
      if (url) void this.loadModel(() => loadModelFromUrl(url));
    });
    ui.modelUrlFields.disabled = false;
    ui.modelFiles.addEventListener('change', () => {
      const files = [...(ui.modelFiles.files ?? [])];
      ui.modelFiles.value = '';
      if (files.length > 0) this.dropFiles(files);
    });
    acceptDrops(document.body, {
      image: (file) => void this.openImage(file),
      model: (files) => void this.loadModel(() => loadModelFromFiles(files)),
      rejected: (reason) => showMessage(ui.modelMessage, reason, 'error'),
    });
  }

  private dropFiles(files: File[]): void {
    routeFiles(files, {
      image: (file) => void this.openImage(file),
      model: (list) => void this.loadModel(() => loadModelFromFiles(list)),
      rejected: (reason) => showMessage(this.ui.modelMessage, reason, 'error'),
    });
  }

  private async openImage(file: File): Promise<void> {
    try {
      await this.showStill(await imageFromFile(file));
      hideMessage(this.ui.cameraMessage);
    } catch (error) {
      showMessage(this.ui.cameraMessage, errorText(error), 'error');
    }
  }

  private changeLayer(layer: string | null): void {
    const explainer = this.explainer;
    if (!explainer) return;
    void this.loop.stop().then(() => {
      try {
        explainer.setLayer(layer);
      } catch (error) {
        // Shown with the model (frame messages clear on the next good frame) and undone in the menu.
        showMessage(this.ui.modelMessage, `Layer not changed: ${errorText(error)}`, 'error');
        this.settings = { ...this.settings, layer: explainer.layer === explainer.automaticLayer ? null : explainer.layer };
        fillModelControls(this.ui, explainer.loaded.labels, explainer.classes, explainer.layers, explainer.automaticLayer, this.settings);
      }
      this.resume();
    });
  }

  /** Shows the frame rate even on frames that brought no report. */
  refreshRate(): void {
    renderRate(this.ui, this.loop.fps, this.frames);
  }
}
