// The codec threads as the built package runs them (the TypeScript sources run codecs in
// the calling thread): results equal the in-thread codecs, errors keep their types.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CodecPool } from '../dist/io/codec-pool.js';
import { decodeImage, encodePng, ImageFormatError as BuiltImageFormatError } from '../dist/index.js';
import { seededImage } from './tiny-model.js';

const work = mkdtempSync(join(tmpdir(), 'wgcam-codecs-'));
const threaded = CodecPool.create(2);
const inline = CodecPool.create(0);
afterAll(async () => {
  await threaded.destroy();
  rmSync(work, { recursive: true, force: true });
});

describe('codec threads', () => {
  it('run on worker threads when built, in the calling thread when asked to', () => {
    expect(threaded.threaded).toBe(true);
    expect(inline.threaded).toBe(false);
  });

  it('encode and decode exactly as the in-thread codecs do', async () => {
    const image = seededImage(11, 37, 23);
    const [fromThread, fromCaller] = await Promise.all([threaded.encodePng(image), inline.encodePng(image)]);
    expect(Buffer.from(fromThread.value).equals(Buffer.from(fromCaller.value))).toBe(true);
    expect(Buffer.from(fromThread.value).equals(Buffer.from(encodePng(image)))).toBe(true);
    writeFileSync(join(work, 'a.png'), fromThread.value);
    const decoded = await threaded.decodeFile(join(work, 'a.png'));
    expect(decoded.value.width).toBe(37);
    expect(Array.from(decoded.value.data)).toEqual(Array.from(decodeImage(fromCaller.value).data));
    expect(decoded.ms).toBeGreaterThan(0);
  });

  it('give back typed errors from the threads', async () => {
    writeFileSync(join(work, 'bad.png'), 'not an image');
    await expect(threaded.decodeFile(join(work, 'bad.png'))).rejects.toThrow(BuiltImageFormatError);
    await expect(threaded.decodeFile(join(work, 'bad.png'))).rejects.toThrow(/bad\.png is not a PNG or JPEG image/);
    await expect(threaded.decodeFile(join(work, 'missing.png'))).rejects.toThrow(/missing\.png does not exist/);
  });
});
