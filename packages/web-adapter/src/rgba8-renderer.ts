import type { PixelSize } from './frame-source.js';
import { UNIFORM_USAGE } from './gpu-flags.js';
import { cachedPipeline } from './gpu-pipelines.js';
import { PRESENT_RGBA8_WGSL } from './wgsl/present-rgba8.js';

/** Where and how to draw one packed RGBA8 image. */
export interface Rgba8DrawOptions {
  /** Index of the image to draw when the buffer holds several back to back (default 0). */
  readonly image?: number;
  /** GPU timestamps around the render pass. */
  readonly timestampWrites?: GPURenderPassTimestampWrites;
}

function renderPipeline(device: GPUDevice, format: GPUTextureFormat): GPURenderPipeline {
  return cachedPipeline(device, `render:present_rgba8:${format}`, () => {
    const module = device.createShaderModule({ label: 'present_rgba8', code: PRESENT_RGBA8_WGSL });
    return device.createRenderPipeline({
      label: 'present_rgba8',
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
  });
}

/**
 * Records render passes that draw packed RGBA8 pixels (one u32 per pixel, r in the low
 * byte: the engine's overlay format) from a storage buffer into any render target, with
 * nearest-pixel scaling. Owns one uniform buffer; the last bind group is kept because the
 * engine's pool usually hands back the same overlay buffer every frame.
 *
 * @example
 * const renderer = new Rgba8Renderer(device, 'rgba8unorm');
 * renderer.encode(encoder, texture.createView(), { width: 320, height: 240 }, result.overlayBuffer, { width: 320, height: 240 });
 */
export class Rgba8Renderer {
  private readonly params: GPUBuffer;
  private readonly pipeline: GPURenderPipeline;
  private lastBinding: { pixels: GPUBuffer; group: GPUBindGroup } | null = null;

  constructor(
    readonly device: GPUDevice,
    readonly format: GPUTextureFormat,
  ) {
    this.pipeline = renderPipeline(device, format);
    this.params = device.createBuffer({ label: 'present_rgba8 params', size: 32, usage: UNIFORM_USAGE });
  }

  /** Records one pass drawing image `options.image` of `pixels` (each `imageSize`) over the whole `target`. */
  encode(encoder: GPUCommandEncoder, target: GPUTextureView, targetSize: PixelSize, pixels: GPUBuffer, imageSize: PixelSize, options: Rgba8DrawOptions = {}): void {
    const index = options.image ?? 0;
    const pixelCount = imageSize.width * imageSize.height;
    if (pixels.size < (index + 1) * pixelCount * 4) {
      throw new RangeError(`the pixel buffer holds ${pixels.size} bytes, fewer than image ${index} of ${imageSize.width}×${imageSize.height} needs`);
    }
    this.device.queue.writeBuffer(this.params, 0, new Uint32Array([imageSize.width, imageSize.height, targetSize.width, targetSize.height, index * pixelCount, 0, 0, 0]));
    const pass = encoder.beginRenderPass({
      label: 'present_rgba8',
      colorAttachments: [{ view: target, loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } }],
      ...(options.timestampWrites ? { timestampWrites: options.timestampWrites } : {}),
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup(pixels));
    pass.draw(3);
    pass.end();
  }

  /** Frees the uniform buffer. */
  destroy(): void {
    this.params.destroy();
    this.lastBinding = null;
  }

  private bindGroup(pixels: GPUBuffer): GPUBindGroup {
    if (this.lastBinding?.pixels === pixels) return this.lastBinding.group;
    const group = this.device.createBindGroup({
      label: 'present_rgba8',
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: pixels } },
        { binding: 1, resource: { buffer: this.params } },
      ],
    });
    this.lastBinding = { pixels, group };
    return group;
  }
}
