import type { Canvas, Rgb } from './canvas.js';
import { uniform, randomInt, type Rng } from './rng.js';

/** A random colour with each component uniform in 0–255. */
export function randomColour(rng: Rng): Rgb {
  return [uniform(rng, 0, 255), uniform(rng, 0, 255), uniform(rng, 0, 255)];
}

/**
 * Fills the canvas with a linear gradient between two random colours at a random angle,
 * plus smooth low-frequency colour noise (a coarse random grid, bilinearly interpolated).
 * Both are defined relative to the image size, so a 192 px render looks like a 32 px one.
 * `clutter` (0–1) scales the noise amplitude.
 */
export function drawBackground(canvas: Canvas, rng: Rng, clutter = 1): void {
  const { width, height, rgb } = canvas;
  const from = randomColour(rng);
  const to = randomColour(rng);
  const angle = uniform(rng, 0, 2 * Math.PI);
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);

  // Coarse noise grid: (cells+1)² random colour offsets.
  const cells = randomInt(rng, 2, 6);
  const amplitude = uniform(rng, 10, 50) * clutter;
  const grid = new Float32Array((cells + 1) * (cells + 1) * 3);
  for (let i = 0; i < grid.length; i++) grid[i] = uniform(rng, -amplitude, amplitude);

  for (let y = 0; y < height; y++) {
    const v = ((y + 0.5) / height) * cells;
    const gy = Math.min(cells - 1, Math.floor(v));
    const fy = v - gy;
    for (let x = 0; x < width; x++) {
      const u = ((x + 0.5) / width) * cells;
      const gx = Math.min(cells - 1, Math.floor(u));
      const fx = u - gx;
      // Gradient parameter in [0, 1] along the chosen direction.
      const t = 0.5 + 0.5 * ((x / width - 0.5) * dx + (y / height - 0.5) * dy) * Math.SQRT2;
      const o = 3 * (y * width + x);
      for (let c = 0; c < 3; c++) {
        const g00 = grid[3 * (gy * (cells + 1) + gx) + c] as number;
        const g10 = grid[3 * (gy * (cells + 1) + gx + 1) + c] as number;
        const g01 = grid[3 * ((gy + 1) * (cells + 1) + gx) + c] as number;
        const g11 = grid[3 * ((gy + 1) * (cells + 1) + gx + 1) + c] as number;
        const noise = (g00 * (1 - fx) + g10 * fx) * (1 - fy) + (g01 * (1 - fx) + g11 * fx) * fy;
        rgb[o + c] = (from[c] as number) * (1 - t) + (to[c] as number) * t + noise;
      }
    }
  }
}

/**
 * Adds per-pixel noise (a triangular distribution of standard deviation `sigma`) to every
 * channel. Noise is constant over `grain`×`grain` pixel cells, so large renders keep the
 * noise scale of small ones instead of averaging it away.
 */
export function addPixelNoise(canvas: Canvas, rng: Rng, sigma: number, grain = 1): void {
  const { width, height, rgb } = canvas;
  const cellsX = Math.ceil(width / grain);
  const cellsY = Math.ceil(height / grain);
  // Sum of two uniforms in [-1, 1) has variance 2/3; scale to the requested sigma.
  const scale = sigma / Math.sqrt(2 / 3);
  const cellNoise = new Float32Array(cellsX * cellsY * 3);
  for (let i = 0; i < cellNoise.length; i++) cellNoise[i] = (rng() + rng() - 1) * scale;
  for (let y = 0; y < height; y++) {
    const cy = Math.floor(y / grain);
    for (let x = 0; x < width; x++) {
      const cell = 3 * (cy * cellsX + Math.floor(x / grain));
      const o = 3 * (y * width + x);
      for (let c = 0; c < 3; c++) rgb[o + c] = (rgb[o + c] as number) + (cellNoise[cell + c] as number);
    }
  }
}
