import type { PixelSize } from './frame-source.js';
import { Rgba8Renderer, type Rgba8DrawOptions } from './rgba8-renderer.js';

/** A canvas WebGPU can draw into. */
export type PresentableCanvas = HTMLCanvasElement | OffscreenCanvas;

/** Options of a CanvasPresenter. */
export interface CanvasPresenterOptions {
  /** Canvas texture format; navigator.gpu.getPreferredCanvasFormat() by default. */
  readonly format?: GPUTextureFormat;
  /** Resize the canvas's drawing buffer to each image's size (default true); CSS sets the displayed size. */
  readonly matchImageSize?: boolean;
}

function preferredFormat(): GPUTextureFormat {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  return gpu ? gpu.getPreferredCanvasFormat() : 'rgba8unorm';
}

/**
 * Shows packed RGBA8 images (the engine's overlay buffers) in a canvas through a WebGPU
 * canvas context: a render pass copies the pixels into the canvas texture, so nothing is
 * read back to the CPU.
 *
 * @example
 * const presenter = new CanvasPresenter(device, document.querySelector('canvas')!);
 * presenter.draw(result.overlayBuffer!, { width: 320, height: 240 });
 */
export class CanvasPresenter {
  readonly context: GPUCanvasContext;
  readonly format: GPUTextureFormat;
  private readonly renderer: Rgba8Renderer;
  private readonly matchImageSize: boolean;

  constructor(
    readonly device: GPUDevice,
    readonly canvas: PresentableCanvas,
    options: CanvasPresenterOptions = {},
  ) {
    const context = canvas.getContext('webgpu') as GPUCanvasContext | null;
    if (!context) throw new Error('this canvas cannot give a WebGPU context (it already has a 2d or webgl context, or WebGPU is unavailable)');
    this.context = context;
    this.format = options.format ?? preferredFormat();
    this.matchImageSize = options.matchImageSize ?? true;
    context.configure({ device, format: this.format, alphaMode: 'opaque' });
    this.renderer = new Rgba8Renderer(device, this.format);
  }

  /** Draws image `options.image` of `pixels` (each image `size`) into the canvas and submits. */
  draw(pixels: GPUBuffer, size: PixelSize, options: Rgba8DrawOptions = {}): void {
    if (this.matchImageSize && (this.canvas.width !== size.width || this.canvas.height !== size.height)) {
      this.canvas.width = size.width;
      this.canvas.height = size.height;
    }
    const encoder = this.device.createCommandEncoder({ label: 'wgcam present' });
    const target = this.context.getCurrentTexture();
    this.renderer.encode(encoder, target.createView(), { width: target.width, height: target.height }, pixels, size, options);
    this.device.queue.submit([encoder.finish()]);
  }

  /** Unconfigures the canvas and frees the presenter's buffer. */
  destroy(): void {
    this.renderer.destroy();
    this.context.unconfigure();
  }
}
