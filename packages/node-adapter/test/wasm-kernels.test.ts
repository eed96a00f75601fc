// TF.js 4.22's wasm MaxPoolGrad loses the gradient of every window whose maximum is 0 or
// negative (its running maximum starts at 0): after a ReLU, all-zero windows. wgcam
// replaces that kernel; it must agree with the cpu backend's on windows of every sign.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@wgcam/shapes';
import { useTfjsWasm } from '../src/tfjs-wasm.js';

type Case = { shape: [number, number, number, number]; size: [number, number]; strides: [number, number]; pad: 'valid' | 'same' };
const cases: Case[] = [
  { shape: [1, 4, 4, 1], size: [2, 2], strides: [2, 2], pad: 'valid' },
  { shape: [2, 7, 5, 3], size: [3, 3], strides: [2, 2], pad: 'same' },
  { shape: [1, 9, 9, 4], size: [3, 3], strides: [1, 1], pad: 'valid' },
  { shape: [1, 6, 8, 2], size: [2, 3], strides: [2, 1], pad: 'same' },
];

async function gradient(backend: string, values: Float32Array, c: Case): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(values, c.shape);
    const weights = tf.range(1, 1 + tf.maxPool(x, c.size, c.strides, c.pad).size).reshape(tf.maxPool(x, c.size, c.strides, c.pad).shape);
    return tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, c.size, c.strides, c.pad).mul(weights).sum())(x).dataSync() as Float32Array;
  });
}

describe('wasm MaxPoolGrad', () => {
  it.each(cases)('equals the cpu backend on $shape, window $size, strides $strides, $pad (zero, negative and tied windows)', async (c) => {
    await useTfjsWasm();
    const random = mulberry32(c.shape.reduce((a, b) => a * b, 7));
    const n = c.shape.reduce((a, b) => a * b, 1);
    // A third zeros (ReLU output), a third negative, a third positive; ties are common.
    const values = Float32Array.from({ length: n }, () => {
      const r = random();
      return r < 1 / 3 ? 0 : r < 2 / 3 ? -Math.ceil(random() * 3) : Math.ceil(random() * 3);
    });
    const cpu = await gradient('cpu', values, c);
    const wasm = await gradient('wasm', values, c);
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
    expect(cpu.some((v) => v !== 0)).toBe(true);
  });
});

describe('wasm MaxPoolGrad when its output grows the wasm heap', () => {
  // Allocating dx can grow the heap, which detaches views of x and dy taken before it: the
  // kernel then read undefined and gave NaN everywhere (reproduced: 256×256×16, all NaN).
  it('a 512×512×32 input (32 MiB of dx, more than the heap holds after the cases above) gets every window’s gradient', async () => {
    await useTfjsWasm();
    const shape: [number, number, number, number] = [1, 512, 512, 32];
    const x = tf.randomUniform(shape, -1, 1, 'float32', 11) as tf.Tensor4D;
    try {
      const dx = tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid').mul(1.5).sum())(x);
      const values = await dx.data();
      dx.dispose();
      let nonFinite = 0;
      let sum = 0;
      for (const v of values) {
        if (Number.isFinite(v)) sum += v;
        else nonFinite++;
      }
      expect(nonFinite).toBe(0);
      // Each 2×2 window passes 1.5 to exactly one position (random values: no ties).
      expect(sum).toBe(1.5 * 256 * 256 * 32);
    } finally {
      x.dispose();
    }
  });
});
