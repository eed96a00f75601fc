import { readFile } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { WgcamError } from '@wgcam/core';

/** An RGBA8 image in memory. */
export interface RgbaImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** A file that cannot be decoded as a PNG or JPEG image, or is too large. */
export class ImageFormatError extends WgcamError {
  constructor(message: string, options?: ErrorOptions) {
    super('BAD_IMAGE', message, options);
  }
}

/** Largest image accepted, in pixels (side × side); larger inputs are refused before decoding. */
export const MAX_IMAGE_PIXELS = 8192 * 8192;

function pngSize(bytes: Uint8Array): [number, number] | null {
  if (bytes.length < 24) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

function jpegSize(bytes: Uint8Array): [number, number] | null {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1]!;
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [(bytes[i + 7]! << 8) | bytes[i + 8]!, (bytes[i + 5]! << 8) | bytes[i + 6]!];
    }
    i += 2 + length;
  }
  return null;
}

/** Refuses an image of more than MAX_IMAGE_PIXELS pixels, naming it and the limit. */
export function checkImageSize(name: string, width: number, height: number): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new ImageFormatError(
      `${name} is ${width}×${height}, over the limit of ${MAX_IMAGE_PIXELS} pixels (MAX_IMAGE_PIXELS, 8192×8192); downscale it first`,
    );
  }
}

/**
 * Decodes PNG or JPEG bytes (told apart by their signature) to RGBA8.
 *
 * @example
 * const image = decodeImage(await readFile('cat.jpg'), 'cat.jpg');
 */
export function decodeImage(bytes: Uint8Array, name = 'image'): RgbaImage {
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng && !isJpeg) throw new ImageFormatError(`${name} is not a PNG or JPEG image`);
  const size = isPng ? pngSize(bytes) : jpegSize(bytes);
  // A malformed header is left to the decoder, which reports it itself.
  if (size) checkImageSize(name, size[0], size[1]);
  try {
    if (isPng) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
    }
    const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    return { data: decoded.data, width: decoded.width, height: decoded.height };
  } catch (error) {
    throw new ImageFormatError(`${name} could not be decoded (corrupt or truncated ${isPng ? 'PNG' : 'JPEG'}): ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Reads and decodes a PNG or JPEG file.
 *
 * @example
 * const { data, width, height } = await readImage('samples/circle.png');
 */
export async function readImage(path: string): Promise<RgbaImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ImageFormatError(code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? (error as Error).message})`, { cause: error });
  }
  return decodeImage(bytes, path);
}

/**
 * Encodes RGBA8 pixels as PNG.
 *
 * @example
 * await writeFileAtomic('overlay.png', encodePng(overlay));
 */
export function encodePng(image: RgbaImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png);
}
