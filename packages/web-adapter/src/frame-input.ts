import { fitWithin, frameReady, frameSize, type FrameSource, type PixelSize } from './frame-source.js';
import { TENSOR_BUFFER_USAGE, TextureUsage, UNIFORM_USAGE } from './gpu-flags.js';
import { computePipeline } from './gpu-pipelines.js';
import { normalizationVectors, UNIT_RANGE, type Normalization } from './normalization.js';
import { samplingTaps, workgroups8x8 } from './resample-plan.js';
import { PACK_RGBA8_WGSL } from './wgsl/pack-rgba8.js';
import { RESIZE_NORMALIZE_WGSL } from './wgsl/resize-normalize.js';

/** The model input one frame becomes: [1, height, width, channels] float32, NHWC. */
export interface ModelInputShape {
  readonly height: number;
  readonly width: number;
  /** 3 (RGB) or 1 (grayscale, the mean of R, G and B). */
  readonly channels: 1 | 3;
}

/** Options of a FrameInput. */
export interface FrameInputOptions {
  readonly input: ModelInputShape;
  /** Pixel normalisation; pixels / 255 by default. */
  readonly normalization?: Normalization;
  /** Longest side of the display image the heatmap is drawn over (default 640). */
  readonly maxImageSide?: number;
}

/** How a FrameInput copies video frames: straight from the element, or through an ImageBitmap. */
export type VideoCopyPath = 'direct' | 'bitmap';

function isVideo(source: FrameSource): source is HTMLVideoElement {
  return typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement;
}

/** GPU objects a FrameInput created over its life; flat counters mean no per-frame allocation. */
export interface FrameInputCounters {
  readonly textures: number;
  readonly buffers: number;
}

// copyExternalImageToTexture needs COPY_DST and RENDER_ATTACHMENT on its destination.
const SOURCE_TEXTURE_USAGE = TextureUsage.TEXTURE_BINDING | TextureUsage.COPY_DST | TextureUsage.RENDER_ATTACHMENT;

/**
 * Turns browser frames (video, image, bitmap, VideoFrame) into the model's input on the
 * GPU: the frame is copied into a texture (copyExternalImageToTexture, no CPU pixels),
 * then one compute pass resizes and normalises it straight into the model-input buffer
 * and packs a display-sized RGBA8 copy for the overlay. Buffers and the texture are
 * reused across frames and recreated only when the frame size changes.
 *
 * @example
 * const input = new FrameInput(device, { input: { height: 32, width: 32, channels: 3 } });
 * await input.upload(video);
 * const x = tf.tensor({ buffer: input.inputBuffer, zeroCopy: true }, input.inputShape);
 */
export class FrameInput {
  /** [1, H, W, C] float32 model input. */
  readonly inputBuffer: GPUBuffer;
  readonly inputShape: [1, number, number, number];
  private normalization: Normalization;
  private readonly maxImageSide: number;
  private readonly inputParams: GPUBuffer;
  private readonly imageParams: GPUBuffer;
  private texture: GPUTexture | null = null;
  private image: GPUBuffer | null = null;
  private size: PixelSize = { width: 0, height: 0 };
  private bindGroups: { input: GPUBindGroup; image: GPUBindGroup } | null = null;
  private boundTexture: GPUTexture | null = null;
  private textures = 0;
  private buffers = 0;
  private destroyed = false;
  private videoCopy: VideoCopyPath = 'direct';

  constructor(
    readonly device: GPUDevice,
    options: FrameInputOptions,
  ) {
    const { height, width, channels } = options.input;
    if (![height, width].every((d) => Number.isInteger(d) && d > 0) || (channels !== 1 && channels !== 3)) {
      throw new RangeError(`model input must be [H, W, 1|3] with positive integer sizes; got [${height}, ${width}, ${channels}]`);
    }
    this.inputShape = [1, height, width, channels];
    this.normalization = options.normalization ?? UNIT_RANGE;
    normalizationVectors(this.normalization);
    this.maxImageSide = options.maxImageSide ?? 640;
    this.inputBuffer = this.createBuffer('wgcam model input', height * width * channels * 4, TENSOR_BUFFER_USAGE);
    this.inputParams = this.createBuffer('resize_normalize params', 64, UNIFORM_USAGE);
    this.imageParams = this.createBuffer('pack_rgba8 params', 16, UNIFORM_USAGE);
  }

  /** Packed RGBA8 display image (one u32 per pixel) of the last frame, at `imageSize`. */
  get imageBuffer(): GPUBuffer | null {
    return this.image;
  }

  /** Size of the display image: the frame's, shrunk to maxImageSide. */
  get imageSize(): PixelSize {
    return this.size;
  }

  /** Objects created so far (they are reused; growth means a size change, not a leak). */
  get counters(): FrameInputCounters {
    return { textures: this.textures, buffers: this.buffers };
  }

  /** Changes the pixel normalisation from the next frame on. */
  setNormalization(normalization: Normalization): void {
    normalizationVectors(normalization);
    this.normalization = normalization;
  }

  /** How video frames reach the texture: 'direct' copies, or 'bitmap' after a direct copy failed. */
  get videoPath(): VideoCopyPath {
    return this.videoCopy;
  }

  /**
   * Copies one frame into the GPU and submits the resize/normalise pass. Resolves false
   * (and does nothing) while the source has no frame yet, e.g. a video still loading.
   * Timestamps, when given, bracket the compute pass.
   */
  async upload(source: FrameSource, timestampWrites?: GPUComputePassTimestampWrites): Promise<boolean> {
    this.assertLive();
    if (!frameReady(source)) return false;
    const size = frameSize(source);
    const max = this.device.limits.maxTextureDimension2D;
    if (size.width > max || size.height > max) {
      throw new RangeError(`the frame is ${size.width}×${size.height}, over this GPU's texture limit of ${max}; scale it down first (createImageBitmap with resizeWidth)`);
    }
    const texture = this.sourceTexture(size);
    await this.copyFrame(source, texture, size);
    const encoder = this.device.createCommandEncoder({ label: 'wgcam frame input' });
    this.encodeFromTexture(encoder, texture, timestampWrites);
    this.device.queue.submit([encoder.finish()]);
    return true;
  }

  /**
   * Records the resize/normalise and display-image kernels reading `texture` (rgba8unorm
   * with TEXTURE_BINDING); for sources already on the GPU. The caller submits.
   */
  encodeFromTexture(encoder: GPUCommandEncoder, texture: GPUTexture, timestampWrites?: GPUComputePassTimestampWrites): void {
    this.assertLive();
    const source = { width: texture.width, height: texture.height };
    const imageSize = fitWithin(source, this.maxImageSide);
    this.ensureImage(imageSize, texture);
    const [, height, width, channels] = this.inputShape;
    const { scale, offset, bgr } = normalizationVectors(this.normalization);
    const inputTaps = samplingTaps(source, { width, height });
    const imageTaps = samplingTaps(source, imageSize);
    const params = new ArrayBuffer(64);
    new Uint32Array(params, 0, 8).set([width, height, channels, bgr ? 1 : 0, inputTaps.x, inputTaps.y, 0, 0]);
    new Float32Array(params, 32, 8).set([...scale, ...offset]);
    this.device.queue.writeBuffer(this.inputParams, 0, params);
    this.device.queue.writeBuffer(this.imageParams, 0, new Uint32Array([imageSize.width, imageSize.height, imageTaps.x, imageTaps.y]));
    const groups = this.bindGroups!;
    const pass = encoder.beginComputePass({ label: 'wgcam frame input', ...(timestampWrites ? { timestampWrites } : {}) });
    pass.setPipeline(computePipeline(this.device, 'resize_normalize', RESIZE_NORMALIZE_WGSL));
    pass.setBindGroup(0, groups.input);
    pass.dispatchWorkgroups(...workgroups8x8({ width, height }));
    pass.setPipeline(computePipeline(this.device, 'pack_rgba8', PACK_RGBA8_WGSL));
    pass.setBindGroup(0, groups.image);
    pass.dispatchWorkgroups(...workgroups8x8(imageSize));
    pass.end();
  }

  /** Frees the texture and buffers this object created; the device stays the caller's. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.texture?.destroy();
    this.image?.destroy();
    this.inputBuffer.destroy();
    this.inputParams.destroy();
    this.imageParams.destroy();
  }

  private async copyFrame(source: FrameSource, texture: GPUTexture, size: PixelSize): Promise<void> {
    const extent = [size.width, size.height];
    if (!isVideo(source) || this.videoCopy === 'direct') {
      try {
        this.device.queue.copyExternalImageToTexture({ source }, { texture }, extent);
        return;
      } catch (error) {
        if (!isVideo(source)) throw error;
        // Some browser/GPU setups (e.g. headless Chromium on SwiftShader without its Vulkan
        // compositor flags) cannot copy from a video element; a bitmap of the frame can be.
        this.videoCopy = 'bitmap';
      }
    }
    const bitmap = await createImageBitmap(source);
    try {
      this.device.queue.copyExternalImageToTexture({ source: bitmap }, { texture }, extent);
    } finally {
      bitmap.close();
    }
  }

  private sourceTexture(size: PixelSize): GPUTexture {
    if (this.texture && this.texture.width === size.width && this.texture.height === size.height) return this.texture;
    this.texture?.destroy();
    this.textures += 1;
    this.texture = this.device.createTexture({ label: 'wgcam frame', size: [size.width, size.height], format: 'rgba8unorm', usage: SOURCE_TEXTURE_USAGE });
    return this.texture;
  }

  private ensureImage(imageSize: PixelSize, texture: GPUTexture): void {
    const sizeChanged = !this.image || imageSize.width !== this.size.width || imageSize.height !== this.size.height;
    if (sizeChanged) {
      this.image?.destroy();
      this.image = this.createBuffer('wgcam display image', imageSize.width * imageSize.height * 4, TENSOR_BUFFER_USAGE);
      this.size = imageSize;
    }
    if (sizeChanged || this.bindGroups === null || this.boundTexture !== texture) {
      const view = texture.createView();
      const inputPipeline = computePipeline(this.device, 'resize_normalize', RESIZE_NORMALIZE_WGSL);
      const imagePipeline = computePipeline(this.device, 'pack_rgba8', PACK_RGBA8_WGSL);
      this.bindGroups = {
        input: this.device.createBindGroup({
          label: 'resize_normalize',
          layout: inputPipeline.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: view },
            { binding: 1, resource: { buffer: this.inputBuffer } },
            { binding: 2, resource: { buffer: this.inputParams } },
          ],
        }),
        image: this.device.createBindGroup({
          label: 'pack_rgba8',
          layout: imagePipeline.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: view },
            { binding: 1, resource: { buffer: this.image! } },
            { binding: 2, resource: { buffer: this.imageParams } },
          ],
        }),
      };
      this.boundTexture = texture;
    }
  }

  private createBuffer(label: string, size: number, usage: number): GPUBuffer {
    this.buffers += 1;
    return this.device.createBuffer({ label, size: Math.max(16, Math.ceil(size / 4) * 4), usage });
  }

  private assertLive(): void {
    if (this.destroyed) throw new Error('this FrameInput was destroyed');
  }
}
