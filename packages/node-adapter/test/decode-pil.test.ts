// Decoded pixels equal PIL's for the committed test images (test/images: made by
// make_images.py, PIL's values recorded by pil_expected.py): exact for PNG, GIF, TIFF,
// WebP and JPEG (libvips' mozjpeg and PIL's libjpeg-turbo share the IDCT and upsampling);
// AVIF is decoded by different libraries (libheif + aom vs libavif) and differs measurably.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/index.js';

const dir = fileURLToPath(new URL('./images/', import.meta.url));
const expected = JSON.parse(readFileSync(`${dir}pil-expected.json`, 'utf8')) as Record<string, { width: number; height: number; rgb: string }>;
const files = Object.keys(expected).filter((name) => !name.startsWith('_'));

/** Largest and mean absolute difference per channel value, over RGB. */
function difference(rgba: Uint8Array, rgb: Buffer): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let p = 0; p < rgb.length / 3; p++) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(rgba[p * 4 + c]! - rgb[p * 3 + c]!);
      max = Math.max(max, d);
      sum += d;
    }
  }
  return { max, mean: sum / rgb.length };
}

/** Measured with sharp 0.34.5 (libvips 8.17.3, libheif 1.20.2) vs Pillow 12.3.0 (libavif 1.4.2). */
const AVIF_BOUND = { max: 55, mean: 4 };

describe('decodeImage equals PIL (exif_transpose, convert RGB, transparency on white)', () => {
  it('covers the formats and cases the issue names', () => {
    for (const name of ['baseline-420.jpg', 'progressive-420.jpg', 'baseline-444.jpg', 'cmyk.jpg', 'exif-orientation-6.jpg', 'rgb16.png', 'rgba16.png', 'palette.png', 'palette-transparent.png', 'gray8.png', 'gray16.png', 'gray-alpha.png', 'rgba8.png', 'lossless.webp', 'photo.avif', 'animated.gif', 'rgb.tiff']) {
      expect(files).toContain(name);
    }
  });

  for (const name of files) {
    it(name, async () => {
      const want = expected[name]!;
      const image = await decodeImage(readFileSync(`${dir}${name}`), name);
      expect([image.width, image.height]).toEqual([want.width, want.height]);
      for (let i = 3; i < image.data.length; i += 4) if (image.data[i] !== 255) throw new Error(`alpha ${image.data[i]} at pixel ${(i - 3) / 4}`);
      const { max, mean } = difference(image.data, Buffer.from(want.rgb, 'base64'));
      if (name.endsWith('.avif')) {
        expect(max).toBeLessThanOrEqual(AVIF_BOUND.max);
        expect(mean).toBeLessThanOrEqual(AVIF_BOUND.mean);
      } else {
        expect({ max, mean }).toEqual({ max: 0, mean: 0 });
      }
    });
  }
});
