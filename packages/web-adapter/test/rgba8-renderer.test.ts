import { describe, expect, it } from 'vitest';
import { Rgba8Renderer } from '../src/index.js';
import { readTexture, useGpu, withErrorScopes } from './gpu.js';

const gpu = useGpu();

function packed(width: number, height: number, images: number): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(width * height * images);
  for (let i = 0; i < out.length; i++) {
    const r = (i * 37) & 255;
    const g = (i * 11 + 5) & 255;
    const b = (i * 3 + 100) & 255;
    out[i] = (r | (g << 8) | (b << 16) | (255 << 24)) >>> 0;
  }
  return out;
}

describe('Rgba8Renderer', () => {
  for (const [tw, th] of [
    [20, 12],
    [40, 24],
    [13, 7],
  ] as const) {
    it(`draws image 1 of 2 packed 20×12 images into a ${tw}×${th} target with nearest-pixel scaling`, async () => {
      const { device } = gpu;
      const width = 20;
      const height = 12;
      const pixels = packed(width, height, 2);
      const buffer = device.createBuffer({ size: pixels.byteLength, usage: 0x80 | 0x08 });
      device.queue.writeBuffer(buffer, 0, pixels);
      const target = device.createTexture({ size: [tw, th], format: 'rgba8unorm', usage: 0x10 | 0x01 });
      const renderer = new Rgba8Renderer(device, 'rgba8unorm');
      try {
        const got = await withErrorScopes(device, async () => {
          const encoder = device.createCommandEncoder();
          renderer.encode(encoder, target.createView(), { width: tw, height: th }, buffer, { width, height }, { image: 1 });
          device.queue.submit([encoder.finish()]);
          return readTexture(device, target);
        });
        const mismatches: string[] = [];
        for (let y = 0; y < th; y++) {
          for (let x = 0; x < tw; x++) {
            // Fragment centres are at x + 0.5; the shader floors (x + 0.5) · 20 / tw.
            const sx = Math.min(width - 1, Math.floor(((x + 0.5) * width) / tw));
            const sy = Math.min(height - 1, Math.floor(((y + 0.5) * height) / th));
            const want = pixels[width * height + sy * width + sx]!;
            const p = (y * tw + x) * 4;
            const gotWord = (got[p]! | (got[p + 1]! << 8) | (got[p + 2]! << 16) | (got[p + 3]! << 24)) >>> 0;
            if (gotWord !== want && mismatches.length < 5) mismatches.push(`(${x},${y}) got ${gotWord.toString(16)} want ${want.toString(16)}`);
          }
        }
        expect(mismatches).toEqual([]);
      } finally {
        renderer.destroy();
        buffer.destroy();
        target.destroy();
      }
    });
  }

  it('refuses a buffer too small for the requested image', () => {
    const { device } = gpu;
    const buffer = device.createBuffer({ size: 16, usage: 0x80 });
    const target = device.createTexture({ size: [2, 2], format: 'rgba8unorm', usage: 0x10 });
    const renderer = new Rgba8Renderer(device, 'rgba8unorm');
    expect(() => renderer.encode(device.createCommandEncoder(), target.createView(), { width: 2, height: 2 }, buffer, { width: 2, height: 2 }, { image: 1 })).toThrow(/fewer than image 1/);
    renderer.destroy();
    buffer.destroy();
    target.destroy();
  });
});
