import { generateSample, mulberry32 } from '@wgcam/shapes';

/**
 * Decodes an image file (PNG, JPEG, WebP, …) into a bitmap the GPU can copy.
 *
 * @example
 * const bitmap = await imageFromFile(input.files[0]);
 */
export async function imageFromFile(file: Blob): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (error) {
    throw new Error(`this file is not an image the browser can decode (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/**
 * A seeded picture from the synthetic shapes data set the bundled model was trained on:
 * one shape on a cluttered background, drawn at `size` pixels.
 *
 * @example
 * const bitmap = await shapesSample(7);
 */
export async function shapesSample(seed: number, size = 256): Promise<ImageBitmap> {
  const sample = generateSample(mulberry32(seed), { size });
  const pixels = new Uint8ClampedArray(sample.pixels.length);
  pixels.set(sample.pixels);
  return createImageBitmap(new ImageData(pixels, size, size));
}
