import sharp, { type Metadata, type SharpOptions } from 'sharp';
import { compositeOnto, WHITE, type Rgb } from './background.js';
import { ImageFormatError } from './image-error.js';
import { checkImageSize, MAX_IMAGE_PIXELS } from './image-limits.js';
import type { RgbaImage } from './images.js';

/** The formats wgcam reads, by sharp's name for them. */
const FORMATS: Readonly<Record<string, string>> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP', heif: 'AVIF', gif: 'GIF', tiff: 'TIFF' };

/** The list users see in messages. */
export const READABLE_FORMATS = 'PNG, JPEG, WebP, AVIF, GIF or TIFF';

/** How a decoded image is turned into the pixels a model sees. */
export interface DecodeOptions {
  /** Colour that transparent pixels are composited onto; default white. */
  readonly background?: Rgb;
}

// limitInputPixels makes libvips itself refuse a larger image, as a second line behind the
// check on the header; failOn 'warning' turns a truncated or corrupt file into an error
// instead of an image completed with grey or zeros; one page: a GIF's first frame.
const INPUT: SharpOptions = { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'warning', pages: 1, page: 0 };

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}

async function readHeader(bytes: Uint8Array, name: string): Promise<{ meta: Metadata; format: string }> {
  let meta: Metadata;
  try {
    // Headers only (no pixels are decoded), without the pixel limit so that an oversized
    // image is refused below with its size named.
    meta = await sharp(bytes, { ...INPUT, limitInputPixels: false }).metadata();
  } catch (error) {
    const message = describe(error);
    if (/unsupported image format/i.test(message)) throw new ImageFormatError(`${name} is not a ${READABLE_FORMATS} image`, { cause: error });
    throw new ImageFormatError(`${name} could not be read (corrupt or truncated image header): ${message}`, { cause: error });
  }
  const format = meta.format as string | undefined;
  if (!format || !FORMATS[format] || (format === 'heif' && meta.compression !== 'av1')) {
    const kind = format === 'heif' ? `HEIF (${meta.compression ?? 'unknown'} compression)` : (format ?? 'unknown').toUpperCase();
    throw new ImageFormatError(`${name} is a ${kind} image, which wgcam does not read; convert it to a ${READABLE_FORMATS} image`);
  }
  if (!meta.width || !meta.height) throw new ImageFormatError(`${name} has no image size in its header (corrupt ${FORMATS[format]})`);
  checkImageSize(name, meta.width, meta.height);
  return { meta, format: FORMATS[format]! };
}

/** PIL's CMYK → RGB (no colour management): c' = (255 − k) − c·(255 − k)/255 with its rounding. */
function cmykToRgba(cmyk: Buffer, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 4);
  const mulDiv255 = (a: number, b: number): number => {
    const t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  };
  for (let p = 0; p < pixels; p++) {
    const nk = 255 - cmyk[p * 4 + 3]!;
    for (let c = 0; c < 3; c++) out[p * 4 + c] = Math.max(0, nk - mulDiv255(cmyk[p * 4 + c]!, nk));
    out[p * 4 + 3] = 255;
  }
  return out;
}

async function pixelsOf(bytes: Uint8Array, meta: Metadata, background: Rgb): Promise<RgbaImage> {
  const oriented = sharp(bytes, INPUT).rotate();
  if (meta.space === 'cmyk') {
    // The pipeline stays in CMYK, so libvips applies no ICC transform: PIL converts without one.
    const { data, info } = await oriented.pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer({ resolveWithObject: true });
    return { data: cmykToRgba(data, info.width * info.height), width: info.width, height: info.height };
  }
  const rgba = oriented.toColourspace('srgb').ensureAlpha(1);
  const { data, info } = await rgba.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { data: meta.hasAlpha ? compositeOnto(pixels, background) : pixels, width: info.width, height: info.height };
}

/**
 * Decodes PNG, JPEG, WebP, AVIF, GIF (first frame) or TIFF bytes with libvips (sharp) to
 * opaque RGBA8 as a model should see them: EXIF orientation applied as viewers do,
 * 16-bit samples scaled to 8 bits, transparency composited onto `background` (white).
 * The header is read first and an image over MAX_IMAGE_PIXELS is refused before its
 * pixels are decoded; a corrupt or truncated file is an ImageFormatError, never an image
 * filled up with zeros.
 *
 * @example
 * const image = await decodeImage(await readFile('cat.jpg'), 'cat.jpg');
 */
export async function decodeImage(bytes: Uint8Array, name = 'image', options: DecodeOptions = {}): Promise<RgbaImage> {
  const { meta, format } = await readHeader(bytes, name);
  try {
    return await pixelsOf(bytes, meta, options.background ?? WHITE);
  } catch (error) {
    const message = describe(error);
    if (/pixel limit/i.test(message)) {
      throw new ImageFormatError(`${name} is over the limit of ${MAX_IMAGE_PIXELS} pixels (MAX_IMAGE_PIXELS, 8192×8192); downscale it first`, { cause: error });
    }
    throw new ImageFormatError(`${name} could not be decoded (corrupt or truncated ${format}): ${message}`, { cause: error });
  }
}
