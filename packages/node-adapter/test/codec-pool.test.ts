// The pipeline's codecs as the built package runs them (libvips through sharp, on libuv's
// thread pool): results equal the direct functions, errors keep their types, and the main
// thread stays free while images decode.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CodecPool } from '../dist/io/codec-pool.js';
import { decodeImage, encodePng, ImageFormatError as BuiltImageFormatError } from '../dist/index.js';
import { seededImage } from './tiny-model.js';

const work = mkdtempSync(join(tmpdir(), 'wgcam-codecs-'));
const codecs = CodecPool.create();
afterAll(async () => {
  await codecs.destroy();
  rmSync(work, { recursive: true, force: true });
});

describe('codecs', () => {
  it('encode and decode exactly as the direct functions do', async () => {
    const image = seededImage(11, 37, 23);
    const opaque = { ...image, data: image.data.map((v, i) => (i % 4 === 3 ? 255 : v)) };
    const encoded = await codecs.encodePng(opaque);
    expect(Buffer.from(encoded.value).equals(Buffer.from(await encodePng(opaque)))).toBe(true);
    writeFileSync(join(work, 'a.png'), encoded.value);
    const decoded = await codecs.decodeFile(join(work, 'a.png'));
    expect(decoded.value.width).toBe(37);
    expect(Array.from(decoded.value.data)).toEqual(Array.from(opaque.data));
    expect(Array.from((await decodeImage(encoded.value)).data)).toEqual(Array.from(opaque.data));
    expect(decoded.ms).toBeGreaterThan(0);
  });

  it('give back typed errors', async () => {
    writeFileSync(join(work, 'bad.png'), 'not an image');
    await expect(codecs.decodeFile(join(work, 'bad.png'))).rejects.toThrow(BuiltImageFormatError);
    await expect(codecs.decodeFile(join(work, 'bad.png'))).rejects.toThrow(/bad\.png is not a PNG, JPEG, WebP, AVIF, GIF or TIFF image/);
    await expect(codecs.decodeFile(join(work, 'missing.png'))).rejects.toThrow(/missing\.png does not exist/);
  });

  it('leave the main thread free while a large image decodes', async () => {
    const side = 2048;
    const data = new Uint8Array(side * side * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 2654435761) >>> 24));
    writeFileSync(join(work, 'large.png'), await encodePng({ data, width: side, height: side }));
    let ticks = 0;
    let longest = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      ticks++;
    }, 5);
    const { ms } = await codecs.decodeFile(join(work, 'large.png'));
    clearInterval(timer);
    // The decode takes tens of milliseconds; the event loop keeps ticking through it.
    expect(ticks).toBeGreaterThan(1);
    expect(longest).toBeLessThan(Math.max(50, ms / 2));
  });
});
