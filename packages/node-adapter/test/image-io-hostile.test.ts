// Hostile and unusual files at the image-reading level: each gives a typed error naming
// the problem, or the correct pixels; nothing hangs, nothing grows memory without bound.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '@wgcam/core';
import { decodeImage, encodePng, ImageFormatError, readImage } from '../src/index.js';
import { parseBackground } from '../src/io/background.js';
import { readRegularFile } from '../src/io/read-bounded.js';
import { expandInputs } from '../src/explain/inputs.js';
import { outputStems } from '../src/explain/outputs.js';
import { halfTransparentPng, jpegClaimingWithFillByte, pngWithFewerRows, rotatedJpeg } from './hostile-files.js';
import sharp from 'sharp';

const work = mkdtempSync(join(tmpdir(), 'wgcam-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('sizes are checked from headers parsed as the standards allow', () => {
  it('a JPEG with a fill byte before its frame header claiming 20000² or 8500² is refused before decoding', async () => {
    for (const side of [20000, 8500]) {
      const bytes = await jpegClaimingWithFillByte(side);
      await expect(decodeImage(bytes, 'fill.jpg')).rejects.toThrow(ImageFormatError);
      await expect(decodeImage(bytes, 'fill.jpg')).rejects.toThrow(`fill.jpg is ${side}×${side}, over the limit of 67108864 pixels (MAX_IMAGE_PIXELS, 8192×8192)`);
    }
    expect(process.memoryUsage().rss).toBeLessThan(1024 ** 3);
  });

  it('fill bytes before the frame header of a JPEG of an allowed size are read past', async () => {
    const good = await sharp(Buffer.alloc(8 * 8 * 3, 90), { raw: { width: 8, height: 8, channels: 3 } }).jpeg().toBuffer();
    const sof = good.indexOf(Buffer.from([0xff, 0xc0]));
    const filled = Buffer.concat([good.subarray(0, sof), Buffer.from([0xff, 0xff]), good.subarray(sof)]);
    expect((await decodeImage(filled, 'filled.jpg')).width).toBe(8);
  });
});

describe('corrupt and truncated files are typed errors, not zeros', () => {
  it('a PNG whose data holds fewer rows than its header says', async () => {
    await expect(decodeImage(pngWithFewerRows(32, 24, 12), 'short.png')).rejects.toThrow(ImageFormatError);
    await expect(decodeImage(pngWithFewerRows(32, 24, 12), 'short.png')).rejects.toThrow(/short\.png could not be decoded \(corrupt or truncated PNG\)/);
    expect((await decodeImage(pngWithFewerRows(32, 24, 24), 'full.png')).height).toBe(24);
  });

  it('truncated PNG and JPEG, and bytes that are no image', async () => {
    const png = await encodePng({ data: new Uint8Array(40 * 30 * 4).map((_, i) => (i * 7) & 255), width: 40, height: 30 });
    await expect(decodeImage(png.subarray(0, png.length >> 1), 't.png')).rejects.toThrow(/t\.png could not be decoded \(corrupt or truncated PNG\)/);
    const jpeg = await sharp(Buffer.from(png)).jpeg().toBuffer();
    await expect(decodeImage(jpeg.subarray(0, jpeg.length >> 1), 't.jpg')).rejects.toThrow(/t\.jpg could not be decoded \(corrupt or truncated JPEG\)/);
    await expect(decodeImage(Buffer.from('hello'), 'n.png')).rejects.toThrow('n.png is not a PNG, JPEG, WebP, AVIF, GIF or TIFF image');
    await expect(decodeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'), 's.png')).rejects.toThrow(/s\.png is a SVG image, which wgcam does not read/);
  });
});

describe('only regular files are read, with a bounded read', () => {
  it('a FIFO named x.png is refused at once', async () => {
    execFileSync('mkfifo', [join(work, 'x.png')]);
    const start = performance.now();
    await expect(readImage(join(work, 'x.png'))).rejects.toThrow(/x\.png is a named pipe \(FIFO\), not an image file; only regular files are read/);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('a symlink to /dev/zero is refused without reading', async () => {
    symlinkSync('/dev/zero', join(work, 'zero.png'));
    const before = process.memoryUsage().rss;
    await expect(readImage(join(work, 'zero.png'))).rejects.toThrow(/zero\.png is a character device, not an image file/);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 ** 2);
  });

  it('a folder, a missing file, and a file over the byte limit', async () => {
    mkdirSync(join(work, 'dir.png'));
    await expect(readImage(join(work, 'dir.png'))).rejects.toThrow(ImageFormatError);
    await expect(readImage(join(work, 'missing.png'))).rejects.toThrow(/missing\.png does not exist/);
    writeFileSync(join(work, 'big.bin'), Buffer.alloc(2000));
    await expect(readRegularFile(join(work, 'big.bin'), 1000)).rejects.toThrow(/big\.bin is 2000 bytes, over the limit of 1000 bytes \(MAX_IMAGE_FILE_BYTES\)/);
    expect((await readRegularFile(join(work, 'big.bin'), 2000)).length).toBe(2000);
  });
});

describe('orientation and transparency', () => {
  it('EXIF orientation 6 turns the image as viewers do', async () => {
    const image = await decodeImage(await rotatedJpeg(40, 24), 'r.jpg');
    expect([image.width, image.height]).toEqual([24, 40]);
    // The stored top-left corner is shown at the top right.
    const at = (x: number, y: number): number => image.data[(y * image.width + x) * 4]!;
    expect(at(image.width - 2, 1)).toBeGreaterThan(200);
    expect(at(1, 1)).toBeLessThan(50);
  });

  it('transparent pixels go onto white, or onto the chosen background; alpha becomes 255', async () => {
    const png = await halfTransparentPng(8, 2);
    const white = await decodeImage(png, 'a.png');
    expect(Array.from(white.data.subarray(0, 4))).toEqual([255, 255, 255, 255]);
    expect(Array.from(white.data.subarray(28, 32))).toEqual([0, 0, 255, 255]);
    const gray = await decodeImage(png, 'a.png', { background: parseBackground('#808080') });
    expect(Array.from(gray.data.subarray(0, 4))).toEqual([128, 128, 128, 255]);
    expect(parseBackground('0,0,0')).toEqual([0, 0, 0]);
    expect(() => parseBackground('chartreuse-ish')).toThrow(InvalidInputError);
  });

  it('PNGs are written opaque (RGB, no alpha channel)', async () => {
    const png = await encodePng({ data: new Uint8Array(4 * 4 * 4).fill(100), width: 4, height: 4 });
    const meta = await sharp(Buffer.from(png)).metadata();
    expect([meta.channels, meta.hasAlpha]).toEqual([3, false]);
  });
});

describe('inputs and output names', () => {
  it('output stems are unique within a run: a/x b/x c/x-2 → x, x-2, x-2-2', () => {
    expect(outputStems(['a/x.png', 'b/x.png', 'c/x-2.png'])).toEqual(['x', 'x-2', 'x-2-2']);
    expect(outputStems(['a/X.png', 'b/x.jpg'])).toEqual(['X', 'x-2']);
  });

  it('folders list unsupported image formats with a note and skip the output folder', async () => {
    const root = join(work, 'inputs');
    mkdirSync(join(root, 'out'), { recursive: true });
    writeFileSync(join(root, 'a.png'), 'x');
    writeFileSync(join(root, 'b.webp'), 'x');
    writeFileSync(join(root, 'c.bmp'), 'x');
    writeFileSync(join(root, 'notes.txt'), 'x');
    writeFileSync(join(root, 'out', 'a.gradcam.png'), 'x');
    const items = await expandInputs([root], { skip: [join(root, 'out')] });
    expect(items.map((i) => [i.path.slice(root.length + 1), i.problem !== undefined])).toEqual([
      ['a.png', false],
      ['b.webp', false],
      ['c.bmp', true],
    ]);
    expect(items[2]!.problem).toMatch(/c\.bmp is a BMP file, a format wgcam does not read; convert it to PNG/);
  });
});
