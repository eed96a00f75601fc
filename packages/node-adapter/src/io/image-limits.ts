import { ImageFormatError } from './image-error.js';

/** Largest image accepted, in pixels (side × side); larger inputs are refused before decoding. */
export const MAX_IMAGE_PIXELS = 8192 * 8192;

/** Largest image file read, in bytes (256 MiB); larger files are refused before reading. */
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Refuses an image of more than MAX_IMAGE_PIXELS pixels, naming it and the limit.
 *
 * @example
 * checkImageSize('photo.jpg', 20000, 20000); // throws ImageFormatError
 */
export function checkImageSize(name: string, width: number, height: number): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new ImageFormatError(
      `${name} is ${width}×${height}, over the limit of ${MAX_IMAGE_PIXELS} pixels (MAX_IMAGE_PIXELS, 8192×8192); downscale it first`,
    );
  }
}
