import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/index.js';
import { Conv3x3 } from '../scripts/lib/js-cnn/conv3x3.js';

// The trainer's convolution sums in register blocks (2 positions or kernel rows × 4 channels)
// with leftover paths for channel counts that are not multiples of 4 and for zero inputs it
// skips. Each output is checked here against a plain float64 loop over many shapes.

/** out[y, x, j] = bias[j] + Σ_{ky,kx,c} in[y+ky−1, x+kx−1, c]·kernel[ky, kx, c, j], zero padding, float64. */
function reference(h: number, w: number, cin: number, cout: number, input: Float32Array, kernel: Float32Array, bias: Float32Array, dOut: Float32Array) {
  const out = new Float64Array(h * w * cout);
  const dKernel = new Float64Array(9 * cin * cout);
  const dInput = new Float64Array(h * w * cin);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let j = 0; j < cout; j++) {
        const o = (y * w + x) * cout + j;
        let s = bias[j] as number;
        for (let ky = 0; ky < 3; ky++) {
          for (let kx = 0; kx < 3; kx++) {
            const yy = y + ky - 1;
            const xx = x + kx - 1;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            for (let c = 0; c < cin; c++) {
              const k = ((ky * 3 + kx) * cin + c) * cout + j;
              const i = (yy * w + xx) * cin + c;
              s += (input[i] as number) * (kernel[k] as number);
              dKernel[k] = (dKernel[k] as number) + (input[i] as number) * (dOut[o] as number);
              dInput[i] = (dInput[i] as number) + (kernel[k] as number) * (dOut[o] as number);
            }
          }
        }
        out[o] = s;
      }
    }
  }
  return { out, dKernel, dInput };
}

function relativeL2(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    num += ((actual[i] as number) - (expected[i] as number)) ** 2;
    den += (expected[i] as number) ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

describe('Conv3x3 (blocked loops)', () => {
  const shapes: [number, number, number, number][] = [
    [4, 4, 1, 1],
    [4, 6, 3, 4],
    [8, 8, 3, 16],
    [6, 4, 5, 7],
    [8, 8, 16, 32],
    [4, 4, 32, 64],
    [10, 8, 6, 6],
    [5, 3, 4, 9],
  ];
  for (const [h, w, cin, cout] of shapes) {
    it(`forward, kernel and input gradients match a float64 loop (${h}×${w}, ${cin} → ${cout} channels)`, () => {
      const rng = mulberry32(h * 1000 + w * 100 + cin * 10 + cout);
      // About 40 % exact zeros in the input (post-ReLU activations) and 20 % in dOut (pooling).
      const input = Float32Array.from({ length: h * w * cin }, () => (rng() < 0.4 ? 0 : rng() * 2 - 0.5));
      const kernel = Float32Array.from({ length: 9 * cin * cout }, () => rng() - 0.5);
      const bias = Float32Array.from({ length: cout }, () => rng() - 0.5);
      const dOut = Float32Array.from({ length: h * w * cout }, () => (rng() < 0.2 ? 0 : rng() - 0.5));
      const conv = new Conv3x3(h, w, cin, cout);
      const col = new Float32Array(conv.colSize);
      conv.im2col(input, col);
      // Poisoned outputs: every element must be written (out, dInput) or accumulated from the given start (dKernel).
      const out = new Float32Array(h * w * cout).fill(Number.NaN);
      const dInput = new Float32Array(h * w * cin).fill(Number.NaN);
      const start = Float32Array.from({ length: kernel.length }, () => rng() - 0.5);
      const dKernel = start.slice();
      conv.forward(col, kernel, bias, out);
      conv.backward(col, dOut, kernel, dKernel, dInput);
      const ref = reference(h, w, cin, cout, input, kernel, bias, dOut);
      const added = Float32Array.from(dKernel, (v, i) => v - (start[i] as number));
      expect(relativeL2(out, ref.out)).toBeLessThan(1e-6);
      expect(relativeL2(added, ref.dKernel)).toBeLessThan(1e-5);
      expect(relativeL2(dInput, ref.dInput)).toBeLessThan(1e-6);
    });
  }
});
