// A still test image from the shapes data set, written as PNG, with its object's mask.
import { writeFileSync } from 'node:fs';
import { generateSample, mulberry32 } from '@wgcam/shapes';
import { PNG } from 'pngjs';

export interface SampleImage {
  readonly path: string;
  readonly size: number;
  readonly className: string;
  /** size×size, 1 inside the object. */
  readonly mask: Uint8Array;
}

/**
 * Draws shapes sample `seed` at `size` pixels and saves it as a PNG.
 *
 * @example
 * const sample = writeSamplePng('test-artifacts/sample.png', 12, 200);
 */
export function writeSamplePng(path: string, seed: number, size: number): SampleImage {
  const sample = generateSample(mulberry32(seed), { size });
  const png = new PNG({ width: size, height: size });
  png.data.set(sample.pixels);
  writeFileSync(path, PNG.sync.write(png));
  const object = sample.masks[0]!;
  return { path, size, className: object.className, mask: object.mask };
}
