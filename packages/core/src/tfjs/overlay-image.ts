import type { CamEngine } from '../engine.js';
import { STORAGE_USAGE } from '../gpu/flags.js';
import type { OverlayImage } from '../output-plan.js';
import { imageSize, rgbaBytes, type ImageInput } from './images.js';

/** The images under the overlay, on the engine's device, and how to give the buffer back. */
export interface OverlayOnDevice {
  readonly image: OverlayImage;
  release(): void;
}

/**
 * Puts the images' RGBA8 pixels on the engine's device once, in a pooled buffer that every
 * method's overlay of one call reads (a typed array would be uploaded again by each
 * compute). `release()` returns the buffer to the pool after the computes' results are read.
 *
 * @example
 * const under = await overlayOnDevice([rgba], engine);
 * const r = engine.compute({ method: 'gradcam', activations, gradients, size, overlay: { image: under.image } });
 * await r.read();
 * under.release();
 */
export async function overlayOnDevice(images: readonly ImageInput[], engine: CamEngine): Promise<OverlayOnDevice> {
  const bytes = await rgbaBytes(images);
  const { width, height } = imageSize(images[0]!);
  const buffer = engine.pool.acquire(bytes.byteLength, STORAGE_USAGE, 'overlay image');
  engine.device.queue.writeBuffer(buffer, 0, bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    image: { data: buffer, width, height, count: bytes.byteLength / (width * height * 4) },
    release: () => engine.pool.release(buffer),
  };
}
