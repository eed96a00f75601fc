/**
 * Converts RGBA8 pixels to the model's input layout: float32 RGB in [0, 1], NHWC, alpha
 * dropped (pixels / 255). Write several images into one batch buffer with `out`/`offset`.
 *
 * @example
 * const x = toModelInput(sample.pixels); // Float32Array of size*size*3
 */
export function toModelInput(pixels: Uint8Array, out?: Float32Array, offset = 0): Float32Array {
  const n = pixels.length / 4;
  const target = out ?? new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    target[offset + 3 * i] = (pixels[4 * i] as number) / 255;
    target[offset + 3 * i + 1] = (pixels[4 * i + 1] as number) / 255;
    target[offset + 3 * i + 2] = (pixels[4 * i + 2] as number) / 255;
  }
  return target;
}
