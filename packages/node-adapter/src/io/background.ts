import { InvalidInputError } from '@wgcam/core';
import type { RgbaImage } from './images.js';

/** An opaque colour, 0–255 per channel. */
export type Rgb = readonly [number, number, number];

/** White: what transparent pixels become unless another background is chosen. */
export const WHITE: Rgb = [255, 255, 255];

const NAMED: Readonly<Record<string, Rgb>> = { white: WHITE, black: [0, 0, 0], gray: [128, 128, 128], grey: [128, 128, 128] };

/**
 * Parses a background colour: `#rgb`, `#rrggbb`, `r,g,b` (0–255) or white, black, gray.
 *
 * @example
 * parseBackground('#808080'); // [128, 128, 128]
 */
export function parseBackground(text: string | Rgb): Rgb {
  if (typeof text !== 'string') {
    if (text.length === 3 && text.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) return text;
    throw new InvalidInputError(`background must be three whole numbers in 0–255; got ${JSON.stringify(text)}`);
  }
  const value = text.trim().toLowerCase();
  const named = NAMED[value];
  if (named) return named;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(value)?.[1];
  if (hex) {
    const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
    return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as unknown as Rgb;
  }
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 3 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return parts.map(Number) as unknown as Rgb;
  throw new InvalidInputError(`unknown background colour '${text}'; use #rrggbb, #rgb, r,g,b (0–255) or white, black, gray`);
}

/** x / 255 rounded, with PIL's integer arithmetic (7 fraction bits, shift-based division). */
function div255(x: number): number {
  const t = x * 128 + (0x80 << 7);
  return (((t >> 8) + t) >> 8) >> 7;
}

/**
 * Composites RGBA8 pixels onto an opaque background in place and returns them (alpha
 * becomes 255). Rounds exactly as PIL's alpha_composite does onto an opaque
 * image: out ≈ round((c·a + bg·(255 − a)) / 255) in its integer arithmetic.
 *
 * @example
 * compositeOnto(rgba, [255, 255, 255]);
 */
export function compositeOnto(data: Uint8Array, background: Rgb): Uint8Array {
  const [br, bg, bb] = background;
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3]!;
    if (a === 255) continue;
    const rest = 255 - a;
    data[i] = div255(data[i]! * a + br * rest);
    data[i + 1] = div255(data[i + 1]! * a + bg * rest);
    data[i + 2] = div255(data[i + 2]! * a + bb * rest);
    data[i + 3] = 255;
  }
  return data;
}

/**
 * Pixels as the model should see them: unchanged when opaque, else a copy composited onto
 * the background.
 *
 * @example
 * const opaque = flattenImage({ data, width, height }, WHITE);
 */
export function flattenImage(image: RgbaImage, background: Rgb): RgbaImage {
  let opaque = true;
  for (let i = 3; i < image.data.length && opaque; i += 4) opaque = image.data[i] === 255;
  if (opaque) return image;
  return { data: compositeOnto(new Uint8Array(image.data), background), width: image.width, height: image.height };
}
