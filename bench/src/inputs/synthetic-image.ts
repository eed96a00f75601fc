// Seeded synthetic photographs (a colour gradient with a few discs and boxes): the same
// pixels in every run and runtime, so every method and baseline sees identical inputs.
import { seededRandom } from './prng.js';

/**
 * One RGBA8 image of `width`×`height`, different for each seed.
 *
 * @example
 * const rgba = syntheticImage(224, 224, 3);
 */
export function syntheticImage(width: number, height: number, seed: number): Uint8Array {
  const next = seededRandom(seed);
  const pixels = new Uint8Array(width * height * 4);
  const base = [next() * 255, next() * 255, next() * 255];
  const shapes = Array.from({ length: 4 }, () => ({
    x: next() * width,
    y: next() * height,
    r: (0.1 + 0.2 * next()) * Math.min(width, height),
    disc: next() < 0.5,
    colour: [next() * 255, next() * 255, next() * 255],
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let colour = [(base[0] as number) * (x / width), (base[1] as number) * (y / height), base[2] as number];
      for (const s of shapes) {
        const dx = x - s.x;
        const dy = y - s.y;
        const inside = s.disc ? dx * dx + dy * dy < s.r * s.r : Math.abs(dx) < s.r && Math.abs(dy) < s.r;
        if (inside) colour = s.colour;
      }
      const o = (y * width + x) * 4;
      pixels[o] = Math.round(colour[0] as number);
      pixels[o + 1] = Math.round(colour[1] as number);
      pixels[o + 2] = Math.round(colour[2] as number);
      pixels[o + 3] = 255;
    }
  }
  return pixels;
}

/** `count` images packed back to back, and the model input made from them: RGB / 255, [B, H, W, 3]. */
export interface ImageBatch {
  readonly rgba: Uint8Array;
  readonly modelInput: Float32Array;
}

/**
 * A batch of seeded images and its float model input.
 *
 * @example
 * const { rgba, modelInput } = syntheticBatch(8, 224, 224, 1000);
 */
export function syntheticBatch(count: number, width: number, height: number, seed: number): ImageBatch {
  const pixels = width * height;
  const rgba = new Uint8Array(count * pixels * 4);
  for (let i = 0; i < count; i++) rgba.set(syntheticImage(width, height, seed + i), i * pixels * 4);
  const modelInput = new Float32Array(count * pixels * 3);
  for (let p = 0; p < count * pixels; p++) {
    for (let ch = 0; ch < 3; ch++) modelInput[p * 3 + ch] = (rgba[p * 4 + ch] as number) / 255;
  }
  return { rgba, modelInput };
}
