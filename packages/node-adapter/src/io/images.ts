import { readRegularFile } from './read-bounded.js';
import { decodeImage, type DecodeOptions } from './decode.js';

export { ImageFormatError } from './image-error.js';
export { checkImageSize, MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS } from './image-limits.js';
export { decodeImage, READABLE_FORMATS, type DecodeOptions } from './decode.js';
export { encodePng } from './encode.js';

/** An RGBA8 image in memory. */
export interface RgbaImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Reads and decodes an image file (PNG, JPEG, WebP, AVIF, GIF, TIFF). Only a regular file
 * of at most MAX_IMAGE_FILE_BYTES is read; anything else is an ImageFormatError.
 *
 * @example
 * const { data, width, height } = await readImage('samples/circle.png');
 */
export async function readImage(path: string, options: DecodeOptions = {}): Promise<RgbaImage> {
  return decodeImage(await readRegularFile(path), path, options);
}
