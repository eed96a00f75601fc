import type { Size2D } from '@wgcam/core';
import { ImageTooLargeError } from '../errors.js';

/** The limits of a device that bound one explanation's buffers. */
export interface BufferLimits {
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
}

/** One explanation's request, as far as its GPU memory goes. */
export interface BudgetRequest {
  readonly image: Size2D;
  /** Images explained together (one GPU batch of same-sized images). */
  readonly batch: number;
  /** Heatmap size (the image's when not given). */
  readonly heatmap: Size2D;
  /** Maps per image (targets × methods). */
  readonly maps: number;
  /** Whether TF.js runs the model on the GPU (its input tensors then live there too). */
  readonly modelOnGpu: boolean;
}

/**
 * Bytes per image pixel TF.js's webgpu backend holds while it prepares the model input:
 * the RGBA image as an int32 tensor (16) and its RGB float32 slice (12).
 */
export const MODEL_INPUT_BYTES_PER_PIXEL = 28;
/** The largest of those tensors, which must fit one buffer: int32 RGBA. */
const LARGEST_INPUT_BYTES_PER_PIXEL = 16;
/**
 * One explanation's buffers together may take this many maximum-size buffers. WebGPU does
 * not say how much memory a device has; measured on SwiftShader (1 GiB buffers, model on
 * webgpu, one map): 6144×6144 (1.5 GiB) explained correctly, 8192×8192 (2.5 GiB) ran out of
 * memory inside TF.js. Anything that still fails is caught by guardGpu as a GpuError.
 */
export const BUDGET_BUFFERS = 2;

/** Bytes of the buffers one explanation needs, per device, and the largest single one. */
export function explanationBytes(request: BudgetRequest): { total: number; largest: number; parts: [string, number][] } {
  const pixels = request.image.width * request.image.height * request.batch;
  const heatmapPixels = request.heatmap.width * request.heatmap.height * request.batch * request.maps;
  const parts: [string, number][] = [
    ['image (RGBA8)', pixels * 4],
    ['overlays (RGBA8)', pixels * 4 * request.maps],
    ['heatmaps (float32)', heatmapPixels * 4],
  ];
  if (request.modelOnGpu) parts.push(['model input tensors', pixels * MODEL_INPUT_BYTES_PER_PIXEL]);
  const largest = Math.max(pixels * 4 * request.maps, heatmapPixels * 4, request.modelOnGpu ? pixels * LARGEST_INPUT_BYTES_PER_PIXEL : 0);
  return { total: parts.reduce((n, [, b]) => n + b, 0), largest, parts };
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/**
 * The most pixels one image may have on this device for the request's heatmap size and
 * map count: every buffer within the device's buffer limit, and (a budget, since WebGPU
 * does not say how much memory a device has) the buffers of one explanation together
 * within BUDGET_BUFFERS maximum-size buffers.
 *
 * @example
 * maxImagePixels(device.limits, { maps: 1, modelOnGpu: true }); // 53,687,091 (≈7327²) on SwiftShader (1 GiB buffers)
 */
export function maxImagePixels(limits: BufferLimits, request: Pick<BudgetRequest, 'maps' | 'modelOnGpu'>): number {
  const cap = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  const budget = cap * BUDGET_BUFFERS;
  // Heatmap at the image's size: 4 + 4·maps + 4·maps (+ 28 with the model on the GPU) bytes per pixel.
  const perPixel = 4 + 8 * request.maps + (request.modelOnGpu ? MODEL_INPUT_BYTES_PER_PIXEL : 0);
  const largestPerPixel = Math.max(4 * request.maps, request.modelOnGpu ? LARGEST_INPUT_BYTES_PER_PIXEL : 0);
  return Math.floor(Math.min(budget / perPixel, cap / largestPerPixel));
}

/**
 * Refuses, before any GPU work, an explanation whose buffers this device cannot hold:
 * an ImageTooLargeError naming the image, the limit in pixels and what to do.
 *
 * @example
 * checkGpuBudget(device.limits, { image: { width: 8192, height: 8192 }, batch: 1, heatmap, maps: 1, modelOnGpu: true });
 */
export function checkGpuBudget(limits: BufferLimits, request: BudgetRequest): void {
  const cap = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  const { total, largest, parts } = explanationBytes(request);
  if (total <= cap * BUDGET_BUFFERS && largest <= cap) return;
  const limit = maxImagePixels(limits, request);
  const side = Math.floor(Math.sqrt(limit));
  const { width, height } = request.image;
  throw new ImageTooLargeError(
    `${width}×${height}${request.batch > 1 ? ` (×${request.batch} in this batch)` : ''} needs ${mib(total)} of GPU buffers ` +
      `(${parts.map(([name, bytes]) => `${name} ${mib(bytes)}`).join(', ')}) but this device holds at most ${mib(cap * BUDGET_BUFFERS)} per explanation and ${mib(cap)} per buffer: ` +
      `images up to ${limit.toLocaleString('en-US')} pixels (about ${side}×${side}) fit with ${request.maps} map(s) per image. ` +
      `Downscale the image, ask for a smaller --size, fewer methods or targets${request.batch > 1 ? ', or a smaller --batch' : ''}` +
      `${request.modelOnGpu ? ", or run the model on --backend wasm (the model's input then stays in CPU memory)" : ''}.`,
    limit,
  );
}
