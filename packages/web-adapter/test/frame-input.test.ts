import { describe, expect, it } from 'vitest';
import { FrameInput, type ModelInputShape, type Normalization } from '../src/index.js';
import { readBuffer, uploadTexture, useGpu, withErrorScopes } from './gpu.js';
import { displayImageReference, maxAbsDiff, modelInputReference, seededImage } from './reference.js';

const gpu = useGpu();

interface Case {
  readonly name: string;
  readonly source: [number, number];
  readonly input: ModelInputShape;
  readonly normalization: Normalization;
  readonly maxImageSide: number;
}

const cases: Case[] = [
  { name: 'camera frame shrunk to a 32×32 RGB input', source: [320, 240], input: { height: 32, width: 32, channels: 3 }, normalization: { scale: 1 / 255, offset: 0 }, maxImageSide: 640 },
  { name: 'small image enlarged (plain bilinear)', source: [17, 13], input: { height: 32, width: 24, channels: 3 }, normalization: { scale: [1 / 255, 2 / 255, 0.5], offset: [0, -1, 3] }, maxImageSide: 640 },
  { name: 'same size (exact copy)', source: [40, 40], input: { height: 40, width: 40, channels: 3 }, normalization: { scale: 1, offset: 0 }, maxImageSide: 40 },
  { name: 'Caffe-style BGR with the ImageNet means subtracted', source: [64, 48], input: { height: 24, width: 32, channels: 3 }, normalization: { scale: 1, offset: [-103.939, -116.779, -123.68], channelOrder: 'bgr' }, maxImageSide: 64 },
  { name: 'odd aspect to grayscale with [-1, 1] range', source: [100, 33], input: { height: 9, width: 31, channels: 1 }, normalization: { scale: 1 / 127.5, offset: -1 }, maxImageSide: 50 },
];

describe('FrameInput kernels', () => {
  for (const c of cases) {
    it(`${c.name}: model input and display image match the float64 reference`, async () => {
      const { device } = gpu;
      const image = seededImage(c.source[0] * 7 + c.source[1], c.source[0], c.source[1]);
      const input = new FrameInput(device, { input: c.input, normalization: c.normalization, maxImageSide: c.maxImageSide });
      const texture = uploadTexture(device, image);
      try {
        await withErrorScopes(device, async () => {
          // Poison the output so an unwritten element cannot pass.
          device.queue.writeBuffer(input.inputBuffer, 0, new Float32Array(input.inputBuffer.size / 4).fill(Number.NaN));
          const encoder = device.createCommandEncoder();
          input.encodeFromTexture(encoder, texture);
          device.queue.submit([encoder.finish()]);
          const { height, width, channels } = c.input;
          const got = new Float32Array(await readBuffer(device, input.inputBuffer, height * width * channels * 4));
          const scale = typeof c.normalization.scale === 'number' ? [c.normalization.scale, c.normalization.scale, c.normalization.scale] : [...c.normalization.scale];
          const offset = typeof c.normalization.offset === 'number' ? [c.normalization.offset, c.normalization.offset, c.normalization.offset] : [...c.normalization.offset];
          const want = modelInputReference(image, height, width, channels, scale, offset, c.normalization.channelOrder === 'bgr');
          const diff = maxAbsDiff(got, want);
          expect(diff.value, `first mismatch at element ${diff.index}: got ${got[diff.index]}, want ${want[diff.index]}`).toBeLessThan(1e-4 * Math.max(1, ...scale.map((s) => s * 255)));

          const size = input.imageSize;
          const longest = Math.max(image.width, image.height);
          expect(Math.max(size.width, size.height)).toBe(Math.min(longest, c.maxImageSide));
          const pixels = new Uint8Array(await readBuffer(device, input.imageBuffer!, size.width * size.height * 4));
          const wantPixels = displayImageReference(image, size.width, size.height);
          const pixelDiff = maxAbsDiff(pixels, wantPixels);
          expect(pixelDiff.value, `display pixel byte ${pixelDiff.index} differs`).toBeLessThanOrEqual(1);
          if (size.width === image.width && size.height === image.height) expect(pixels).toEqual(image.data);
        });
      } finally {
        texture.destroy();
        input.destroy();
      }
    });
  }

  it('reuses its buffers across frames and recreates only the display image when the size changes', async () => {
    const { device } = gpu;
    const input = new FrameInput(device, { input: { height: 8, width: 8, channels: 3 } });
    const small = uploadTexture(device, seededImage(1, 16, 12));
    const large = uploadTexture(device, seededImage(2, 24, 18));
    try {
      await withErrorScopes(device, async () => {
        const run = (texture: GPUTexture): void => {
          const encoder = device.createCommandEncoder();
          input.encodeFromTexture(encoder, texture);
          device.queue.submit([encoder.finish()]);
        };
        run(small);
        const first = input.counters;
        for (let i = 0; i < 20; i++) run(small);
        expect(input.counters).toEqual(first);
        run(large);
        expect(input.counters).toEqual({ textures: first.textures, buffers: first.buffers + 1 });
        expect(input.imageSize).toEqual({ width: 24, height: 18 });
        await device.queue.onSubmittedWorkDone();
      });
    } finally {
      small.destroy();
      large.destroy();
      input.destroy();
    }
  });

  it('rejects model inputs it cannot fill', () => {
    expect(() => new FrameInput(gpu.device, { input: { height: 0, width: 8, channels: 3 } })).toThrow(/positive integer/);
    expect(() => new FrameInput(gpu.device, { input: { height: 8, width: 8, channels: 4 as 3 } })).toThrow(/1\|3/);
  });
});
