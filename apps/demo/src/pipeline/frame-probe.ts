import { heatmapPeak } from '@wgcam/core';
import type { PixelSize } from '@wgcam/web-adapter';
import { BufferUsage, MapMode } from '@wgcam/web-adapter';

/** One frame's heatmap and the image it explains, read back on request (tests, debugging). */
export interface FrameProbe {
  /** The normalised heatmap at feature resolution, row-major. */
  readonly heatmap: Float32Array;
  readonly heatmapSize: PixelSize;
  /** The display image the overlay was drawn on, RGBA8. */
  readonly image: Uint8Array;
  readonly imageSize: PixelSize;
  /** Argmax of the heatmap in display-image pixels (the centre of the hottest feature cell). */
  readonly peak: { readonly x: number; readonly y: number };
}

/**
 * Copies the first `bytes` of a GPU buffer to the CPU (after the work already submitted).
 *
 * @example
 * const values = new Float32Array(await copyOut(device, input.inputBuffer, 32 * 32 * 3 * 4));
 */
export async function copyOut(device: GPUDevice, source: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const staging = device.createBuffer({ label: 'wgcam probe readback', size: bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  try {
    const encoder = device.createCommandEncoder({ label: 'wgcam probe' });
    encoder.copyBufferToBuffer(source, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MapMode.READ);
    return staging.getMappedRange().slice(0);
  } finally {
    staging.destroy();
  }
}

/**
 * Copies a frame's heatmap (float32 [h, w]) and display image (packed RGBA8) to the CPU.
 * Call after the frame's compute was submitted and before its buffers are released; the
 * copies are ordered after that work on the queue.
 *
 * @example
 * const probe = await readFrameProbe(device, result.heatmapBuffer!, { width: 8, height: 8 }, input.imageBuffer!, input.imageSize);
 */
export async function readFrameProbe(device: GPUDevice, heatmapBuffer: GPUBuffer, heatmapSize: PixelSize, imageBuffer: GPUBuffer, imageSize: PixelSize): Promise<FrameProbe> {
  const [heat, pixels] = await Promise.all([
    copyOut(device, heatmapBuffer, heatmapSize.width * heatmapSize.height * 4),
    copyOut(device, imageBuffer, imageSize.width * imageSize.height * 4),
  ]);
  const heatmap = new Float32Array(heat);
  const { x: cellX, y: cellY } = heatmapPeak(heatmap, heatmapSize.width);
  const peak = { x: ((cellX + 0.5) * imageSize.width) / heatmapSize.width, y: ((cellY + 0.5) * imageSize.height) / heatmapSize.height };
  return { heatmap, heatmapSize, image: new Uint8Array(pixels), imageSize, peak };
}
