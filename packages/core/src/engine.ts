import { colormapTable, isColormapName, type ColormapName } from './colormaps.js';
import { DeviceLimitError, GpuError, InvalidInputError, ShapeError } from './errors.js';
import { BufferPool, type PoolStats } from './gpu/buffer-pool.js';
import { CommandBatch } from './gpu/command-batch.js';
import {
  activationDims,
  checkData,
  checkShape,
  checkSize,
  gradientTargets,
  isGpuBuffer,
  resolveTargets,
  type FeatureDims,
  type Size2D,
  type TargetSpec,
  type TensorSource,
} from './inputs.js';
import { isMethodName, METHODS, type MethodName } from './methods.js';
import { CamResult } from './result.js';
import {
  channelRangesBuffer,
  encodeChannelRanges,
  encodeChannelSoftmax,
  encodeScoreWeights,
  type ScoreCamVariant,
} from './scorecam-stages.js';
import {
  encodeCamWeights,
  encodeElementwiseSum,
  encodeGradientWeights,
  encodeMinMax,
  encodeNormalize,
  encodeOverlay,
  encodeUpsample,
  encodeWeightedSum,
  type StageInputs,
} from './stages.js';
import { BufferUsage, STORAGE_USAGE } from './gpu/flags.js';

const OUTPUT_USAGE = STORAGE_USAGE;

/** An RGBA8 image (or one per batch image) to draw the heatmap over. */
export interface OverlayImage {
  /** RGBA8 pixels, row-major; typed arrays may hold 1 or B images back to back, a GPUBuffer `count` packed images. */
  readonly data: Uint8Array | Uint8ClampedArray | GPUBuffer;
  readonly width: number;
  readonly height: number;
  /** Images in a GPUBuffer (1 or B); typed arrays infer it from their length. */
  readonly count?: number;
}

/** How to colour the heatmap and blend it over an image. */
export interface OverlayOptions {
  /** The image underneath; its size is the overlay's size. */
  readonly image?: OverlayImage;
  /** The overlay's size when there is no image (colormap only). */
  readonly size?: Size2D;
  /** Colormap, 'jet' by default. */
  readonly colormap?: ColormapName;
  /** Weight of the colour over the image, 0.5 by default. */
  readonly alpha?: number;
}

/** Score-CAM inputs for the lower API, where the caller ran the masked forward passes. */
export interface ScoreCamScores {
  /** The model's logits for every masked input, [B·C, classes], pairs in (b, c) order. */
  readonly scores: TensorSource;
  /** The model input size the masks were upsampled to (sets the constant-channel test). */
  readonly inputSize: Size2D;
  /** 'probability' (the authors' code, default) or 'channel-softmax' (pytorch-grad-cam). */
  readonly variant?: ScoreCamVariant;
}

/** One explanation request to the lower API. */
export interface ComputeOptions {
  readonly method: MethodName;
  /** The target layer's activations, [B, h, w, C] NHWC. */
  readonly activations: TensorSource;
  /** d(target score)/d(activations): [B, h, w, C] for one target or [B, K, h, w, C]. */
  readonly gradients?: TensorSource;
  /** CAM: the dense layer's kernel after global average pooling, [C, classes]. */
  readonly denseKernel?: TensorSource;
  /** Score-CAM: the scores of the masked inputs. */
  readonly scoreCam?: ScoreCamScores;
  /** CAM and Score-CAM: the class(es) to explain. */
  readonly targets?: TargetSpec;
  /** Heatmap size; omitted, heatmaps stay at feature resolution h×w. */
  readonly size?: Size2D;
  /** Whether to keep the float heatmaps (default true). */
  readonly heatmap?: boolean;
  /** Colour the heatmap (and blend it over an image). */
  readonly overlay?: OverlayOptions;
}

/** Engine options. */
export interface CamEngineOptions {
  /** Submit each kernel on its own inside error scopes that name it. Slower; for debugging. */
  readonly debug?: boolean;
  /** Fill every output with NaN bytes (0xFF) before computing, so an unwritten element cannot pass a test. */
  readonly poisonOutputs?: boolean;
}

/**
 * Computes class activation maps with WebGPU compute shaders on a device the caller owns.
 * Every stage of one call is recorded into one command encoder and submitted once.
 *
 * @example
 * const engine = new CamEngine(device);
 * const result = engine.compute({
 *   method: 'gradcam',
 *   activations: { data: activationBuffer, shape: [1, 7, 7, 2048] },
 *   gradients: { data: gradientBuffer, shape: [1, 7, 7, 2048] },
 *   size: { height: 224, width: 224 },
 *   overlay: { image: { data: rgba, width: 224, height: 224 }, colormap: 'jet', alpha: 0.5 },
 * });
 * const { heatmap, overlay } = await result.read();
 * result.release();
 */
export class CamEngine {
  readonly device: GPUDevice;
  private readonly pool: BufferPool;
  private readonly debug: boolean;
  private readonly poisonOutputs: boolean;
  private readonly lutBuffers = new Map<ColormapName, GPUBuffer>();
  private lostMessage: string | null = null;
  private uncaptured: string[] = [];
  private readonly onUncaptured = (event: { readonly error?: { readonly message: string } }): void => {
    this.uncaptured.push(event.error?.message ?? 'unknown GPU error');
  };
  private destroyed = false;

  constructor(device: GPUDevice, options: CamEngineOptions = {}) {
    this.device = device;
    this.pool = new BufferPool(device);
    this.debug = options.debug ?? false;
    this.poisonOutputs = options.poisonOutputs ?? false;
    void device.lost.then((info) => {
      this.lostMessage = `${info.reason}: ${info.message}`;
    });
    if (typeof device.addEventListener === 'function') device.addEventListener('uncapturederror', this.onUncaptured as never);
  }

  /** Counters of the engine's buffer pool; flat `created` means no new GPU allocations. */
  poolStats(): PoolStats {
    return this.pool.stats();
  }

  /** Records and submits one explanation; read the returned result to get data back. */
  compute(options: ComputeOptions): CamResult {
    this.assertUsable();
    const method = options.method;
    if (typeof method !== 'string' || !isMethodName(method)) {
      throw new InvalidInputError(`unknown method '${String(method)}'; use one of ${Object.keys(METHODS).join(', ')}`);
    }
    const plan = this.plan(options);
    const batch = new CommandBatch(this.device, this.pool, this.debug, `wgcam ${method}`);
    const status = this.pool.acquire(16, OUTPUT_USAGE, 'wgcam status');
    const heatmapBuffer = plan.heatmapSize ? this.pool.acquire(plan.heatmapBytes, OUTPUT_USAGE, 'heatmaps') : null;
    const overlayBuffer = plan.overlaySize ? this.pool.acquire(plan.overlayBytes, OUTPUT_USAGE, 'overlays') : null;
    try {
      if (this.poisonOutputs) {
        if (heatmapBuffer) this.device.queue.writeBuffer(heatmapBuffer, 0, new Uint8Array(plan.heatmapBytes).fill(0xff));
        if (overlayBuffer) this.device.queue.writeBuffer(overlayBuffer, 0, new Uint8Array(plan.overlayBytes).fill(0xff));
      }
      batch.commands().clearBuffer(status);
      const activations = this.bufferFor(batch, options.activations, 'activations');
      const inputs: StageInputs = { batch, dims: plan.dims, activations, status };
      const raw = this.encodeRawMaps(inputs, options, plan);
      const ranges = encodeMinMax(inputs, raw);
      const featureSize = { height: plan.dims.height, width: plan.dims.width };
      const mapCount = plan.dims.batch * plan.dims.targets;
      const keepFeature = plan.heatmapSize && sameSize(plan.heatmapSize, featureSize);
      const normalized =
        keepFeature && heatmapBuffer ? heatmapBuffer : batch.temporary(mapCount * featureSize.height * featureSize.width * 4, OUTPUT_USAGE, 'normalised maps');
      encodeNormalize(inputs, raw, ranges, normalized);
      if (plan.heatmapSize && heatmapBuffer && !keepFeature) {
        encodeUpsample(batch, mapCount, normalized, featureSize, plan.heatmapSize, heatmapBuffer);
      }
      if (plan.overlaySize && overlayBuffer) {
        const overlay = options.overlay ?? {};
        let heat: GPUBuffer;
        if (plan.heatmapSize && heatmapBuffer && sameSize(plan.heatmapSize, plan.overlaySize)) heat = heatmapBuffer;
        else if (sameSize(featureSize, plan.overlaySize)) heat = normalized;
        else {
          heat = batch.temporary(mapCount * plan.overlaySize.height * plan.overlaySize.width * 4, OUTPUT_USAGE, 'overlay heat');
          encodeUpsample(batch, mapCount, normalized, featureSize, plan.overlaySize, heat);
        }
        const image = overlay.image ? { buffer: this.imageBuffer(batch, overlay.image), count: plan.imageCount } : null;
        const pixels = plan.overlaySize.height * plan.overlaySize.width;
        encodeOverlay(batch, plan.dims, heat, this.lut(overlay.colormap ?? 'jet'), image, pixels, overlay.alpha ?? 0.5, overlayBuffer);
      }
      batch.submit();
    } catch (error) {
      this.pool.release(status);
      if (heatmapBuffer) this.pool.release(heatmapBuffer);
      if (overlayBuffer) this.pool.release(overlayBuffer);
      throw error;
    }
    const submittedErrors = this.uncaptured.length;
    return new CamResult(
      {
        device: this.device,
        pool: this.pool,
        gpuChecks: async () => {
          await batch.checked();
          this.assertUsable();
          if (this.uncaptured.length > submittedErrors) throw new GpuError(`GPU error: ${this.uncaptured.slice(submittedErrors).join('; ')}`);
        },
      },
      plan.dims,
      plan.heatmapSize,
      plan.overlaySize,
      heatmapBuffer,
      overlayBuffer,
      status,
    );
  }

  /** Frees the buffers this engine created (pool and colormaps); the device stays the caller's. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pool.destroy();
    for (const buffer of this.lutBuffers.values()) buffer.destroy();
    this.lutBuffers.clear();
    if (typeof this.device.removeEventListener === 'function') this.device.removeEventListener('uncapturederror', this.onUncaptured as never);
  }

  private assertUsable(): void {
    if (this.destroyed) throw new GpuError('this CamEngine was destroyed');
    if (this.lostMessage) throw new GpuError(`the GPU device was lost (${this.lostMessage}); create a new device and engine`);
  }

  private plan(options: ComputeOptions): Plan {
    if (!options.activations) throw new InvalidInputError('activations are required: the target layer output, [B, h, w, C]');
    const base = activationDims(options.activations);
    const info = METHODS[options.method];
    let targets = 1;
    let classes = 0;
    if (info.needs === 'gradients') {
      if (!options.gradients) throw new InvalidInputError(`${info.title} needs gradients of the target score with respect to the activations`);
      targets = gradientTargets(options.gradients, base);
    } else if (info.needs === 'dense-kernel') {
      const kernel = options.denseKernel;
      if (!kernel) throw new InvalidInputError('CAM needs denseKernel: the [C, classes] kernel of the dense layer after global average pooling');
      checkShape('denseKernel', kernel.shape, 2, '[C, classes]');
      checkData('denseKernel', kernel);
      if (kernel.shape[0] !== base.channels) {
        throw new ShapeError(`denseKernel has ${kernel.shape[0]} rows but the activations have ${base.channels} channels; CAM needs a GAP → Dense head on this layer`);
      }
      classes = kernel.shape[1] as number;
    } else {
      const score = options.scoreCam;
      if (!score) throw new InvalidInputError('Score-CAM needs scoreCam: { scores [B·C, classes], inputSize }');
      checkShape('scoreCam.scores', score.scores.shape, 2, '[B·C, classes]');
      checkData('scoreCam.scores', score.scores);
      checkSize('scoreCam.inputSize', score.inputSize);
      if (score.scores.shape[0] !== base.batch * base.channels) {
        throw new ShapeError(`scoreCam.scores has ${score.scores.shape[0]} rows; it needs one per (image, channel) pair: ${base.batch}·${base.channels} = ${base.batch * base.channels}`);
      }
      classes = score.scores.shape[1] as number;
    }
    let targetIds: Uint32Array | null = null;
    if (info.needs !== 'gradients') {
      targetIds = resolveTargets(options.targets, base.batch, classes);
      targets = targetIds.length / base.batch;
    }
    const dims: FeatureDims = { ...base, targets };
    const maps = dims.batch * dims.targets;

    const wantHeatmap = options.heatmap ?? true;
    if (options.size) checkSize('size', options.size);
    const heatmapSize = wantHeatmap ? (options.size ?? { height: dims.height, width: dims.width }) : null;
    let overlaySize: Size2D | null = null;
    let imageCount = 1;
    if (options.overlay) {
      const { image, colormap, alpha } = options.overlay;
      if (colormap !== undefined && !isColormapName(colormap)) throw new InvalidInputError(`unknown colormap '${String(colormap)}'; use jet, turbo, viridis, inferno or gray`);
      if (alpha !== undefined && !(alpha >= 0 && alpha <= 1)) throw new InvalidInputError(`overlay alpha must be in [0, 1]; got ${alpha}`);
      if (image) {
        checkSize('overlay image size', image);
        imageCount = overlayImageCount(image, dims.batch);
        overlaySize = { height: image.height, width: image.width };
      } else {
        overlaySize = options.overlay.size ?? options.size ?? { height: dims.height, width: dims.width };
        checkSize('overlay.size', overlaySize);
      }
    }
    if (!heatmapSize && !overlaySize) throw new InvalidInputError('nothing to compute: heatmap is false and no overlay was requested');

    const plan: Plan = {
      dims,
      classes,
      targetIds,
      heatmapSize,
      overlaySize,
      imageCount,
      heatmapBytes: heatmapSize ? maps * heatmapSize.height * heatmapSize.width * 4 : 0,
      overlayBytes: overlaySize ? maps * overlaySize.height * overlaySize.width * 4 : 0,
    };
    this.checkLimits(plan, options);
    return plan;
  }

  private checkLimits(plan: Plan, options: ComputeOptions): void {
    const { dims } = plan;
    const maps = dims.batch * dims.targets;
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    const sizes: [string, number][] = [
      ['activations', dims.batch * dims.height * dims.width * dims.channels * 4],
      ['gradients', options.gradients ? maps * dims.height * dims.width * dims.channels * 4 : 0],
      ['channel weights', maps * dims.channels * 4],
      ['heatmaps', plan.heatmapBytes],
      ['overlays', plan.overlayBytes],
      ['overlay heat', plan.overlaySize ? maps * plan.overlaySize.height * plan.overlaySize.width * 4 : 0],
    ];
    for (const [name, bytes] of sizes) {
      if (bytes > limit) {
        throw new DeviceLimitError(
          `${name} need ${bytes} bytes, over this device's storage buffer limit of ${limit} bytes: ` +
            'explain fewer images or targets per call, or ask for a smaller output size',
        );
      }
    }
  }

  private encodeRawMaps(inputs: StageInputs, options: ComputeOptions, plan: Plan): GPUBuffer {
    const { batch } = inputs;
    switch (options.method) {
      case 'gradcam':
      case 'gradcam++':
      case 'xgradcam': {
        const kernel = options.method === 'gradcam' ? 'gradcam_weights' : options.method === 'gradcam++' ? 'gradcampp_weights' : 'xgradcam_weights';
        const gradients = this.bufferFor(batch, options.gradients as TensorSource, 'gradients');
        return encodeWeightedSum(inputs, encodeGradientWeights(inputs, kernel, gradients));
      }
      case 'layercam':
      case 'hirescam': {
        const gradients = this.bufferFor(batch, options.gradients as TensorSource, 'gradients');
        return encodeElementwiseSum(inputs, gradients, options.method === 'layercam');
      }
      case 'cam': {
        const kernel = this.bufferFor(batch, options.denseKernel as TensorSource, 'dense kernel');
        const targets = batch.upload(plan.targetIds as Uint32Array, 'targets');
        return encodeWeightedSum(inputs, encodeCamWeights(inputs, kernel, targets, plan.classes));
      }
      case 'scorecam': {
        const score = options.scoreCam as ScoreCamScores;
        const ranges = channelRangesBuffer(batch, plan.dims);
        encodeChannelRanges(batch, plan.dims, inputs.activations, score.inputSize, inputs.status, ranges);
        const logits = this.bufferFor(batch, score.scores, 'scores');
        const targets = batch.upload(plan.targetIds as Uint32Array, 'targets');
        const weights = batch.temporary(plan.dims.batch * plan.dims.targets * plan.dims.channels * 4, OUTPUT_USAGE, 'channel weights');
        const variant = score.variant ?? 'probability';
        const pairs = plan.dims.batch * plan.dims.channels;
        encodeScoreWeights(batch, plan.dims, { logits, targets, ranges, weights, status: inputs.status }, plan.classes, 0, pairs, variant);
        if (variant === 'channel-softmax') encodeChannelSoftmax(batch, plan.dims, weights);
        return encodeWeightedSum(inputs, weights);
      }
    }
  }

  private bufferFor(batch: CommandBatch, source: TensorSource, label: string): GPUBuffer {
    return isGpuBuffer(source.data) ? source.data : batch.upload(source.data, label);
  }

  private imageBuffer(batch: CommandBatch, image: OverlayImage): GPUBuffer {
    const { data } = image;
    if (isGpuBuffer(data)) return data;
    // Byte length is a multiple of 4 (RGBA), so the packed-u32 view needs no copy.
    return batch.upload(data, 'overlay image');
  }

  private lut(name: ColormapName): GPUBuffer {
    let buffer = this.lutBuffers.get(name);
    if (!buffer) {
      const table = colormapTable(name);
      buffer = this.device.createBuffer({ label: `colormap ${name}`, size: table.byteLength, usage: BufferUsage.STORAGE | BufferUsage.COPY_DST });
      this.device.queue.writeBuffer(buffer, 0, table);
      this.lutBuffers.set(name, buffer);
    }
    return buffer;
  }
}

interface Plan {
  readonly dims: FeatureDims;
  readonly classes: number;
  readonly targetIds: Uint32Array | null;
  readonly heatmapSize: Size2D | null;
  readonly overlaySize: Size2D | null;
  readonly imageCount: number;
  readonly heatmapBytes: number;
  readonly overlayBytes: number;
}

function sameSize(a: Size2D, b: Size2D): boolean {
  return a.height === b.height && a.width === b.width;
}

function overlayImageCount(image: OverlayImage, batch: number): number {
  const pixelBytes = image.width * image.height * 4;
  let count: number;
  if (isGpuBuffer(image.data)) {
    count = image.count ?? 1;
    if (image.data.size < count * pixelBytes) throw new ShapeError(`overlay image buffer holds ${image.data.size} bytes, fewer than ${count} RGBA8 images of ${image.width}×${image.height}`);
  } else {
    if (!(image.data instanceof Uint8Array || image.data instanceof Uint8ClampedArray)) {
      throw new InvalidInputError('overlay image data must be a Uint8Array, Uint8ClampedArray or GPUBuffer of RGBA8 pixels');
    }
    count = image.data.length / pixelBytes;
    if (!Number.isInteger(count) || count < 1) {
      throw new ShapeError(`overlay image holds ${image.data.length} bytes, not a whole number of RGBA8 ${image.width}×${image.height} images (${pixelBytes} bytes each)`);
    }
  }
  if (count !== 1 && count !== batch) throw new ShapeError(`give 1 overlay image or one per batch image (${batch}); got ${count}`);
  return count;
}
