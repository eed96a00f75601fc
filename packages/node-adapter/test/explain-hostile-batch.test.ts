// One explainFiles batch holding every hostile case at once: each bad item gets a typed
// error, the good ones are explained, names never clash, nothing hangs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeExplainSessions, encodePng, explainFile, explainFiles, ExplainSession } from '../src/index.js';
import { fileSystemSaver } from '@wgcam/shapes/node';
import { halfTransparentPng, jpegClaimingWithFillByte, pngWithFewerRows, rotatedJpeg } from './hostile-files.js';
import { seededImage, tinyCnn } from './tiny-model.js';

const work = mkdtempSync(join(tmpdir(), 'wgcam-hostile-batch-'));
let model = '';

beforeAll(async () => {
  mkdirSync(join(work, 'model'));
  await tinyCnn().save(fileSystemSaver(join(work, 'model')));
  model = join(work, 'model', 'model.json');
  for (const dir of ['in/a', 'in/b', 'in/c']) mkdirSync(join(work, dir), { recursive: true });
  const png = (seed: number): Promise<Uint8Array> => encodePng(seededImage(seed, 40, 32));
  writeFileSync(join(work, 'in/a/x.png'), await png(1));
  writeFileSync(join(work, 'in/b/x.png'), await png(2));
  writeFileSync(join(work, 'in/c/x-2.png'), await png(3));
  writeFileSync(join(work, 'in/fill.jpg'), await jpegClaimingWithFillByte(20000));
  writeFileSync(join(work, 'in/short.png'), pngWithFewerRows(40, 32, 10));
  writeFileSync(join(work, 'in/alpha.png'), await halfTransparentPng(40, 32));
  writeFileSync(join(work, 'in/turned.jpg'), await rotatedJpeg(40, 24));
  writeFileSync(join(work, 'in/old.bmp'), 'BM');
  execFileSync('mkfifo', [join(work, 'in/pipe.png')]);
  symlinkSync('/dev/zero', join(work, 'in/zero.png'));
});
afterAll(async () => {
  await closeExplainSessions();
  rmSync(work, { recursive: true, force: true });
});

describe('a batch with hostile files', () => {
  it('fails each bad item with its reason and explains the rest without overwriting', async () => {
    const out = join(work, 'in/out');
    const run = (): Promise<Awaited<ReturnType<typeof explainFiles>>> => explainFiles([join(work, 'in')], { model, out, batch: 3 });
    const reports = await run();
    const byName = new Map(reports.map((r) => [r.file.slice(work.length + 4), r]));
    expect([...byName.keys()].sort()).toEqual(['a/x.png', 'alpha.png', 'b/x.png', 'c/x-2.png', 'fill.jpg', 'old.bmp', 'pipe.png', 'short.png', 'turned.jpg', 'zero.png']);
    expect(byName.get('fill.jpg')!.error).toMatch(/is 20000×20000, over the limit of 67108864 pixels/);
    expect(byName.get('short.png')!.error).toMatch(/could not be decoded \(corrupt or truncated PNG\)/);
    expect(byName.get('pipe.png')!.error).toMatch(/is a named pipe \(FIFO\), not an image file/);
    expect(byName.get('zero.png')!.error).toMatch(/is a character device, not an image file/);
    expect(byName.get('old.bmp')!.error).toMatch(/is a BMP file, a format wgcam does not read/);
    for (const ok of ['a/x.png', 'b/x.png', 'c/x-2.png', 'alpha.png', 'turned.jpg']) expect(byName.get(ok)!.ok, ok).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['alpha.gradcam.png', 'turned.gradcam.png', 'x-2-2.gradcam.png', 'x-2.gradcam.png', 'x.gradcam.png']);
    const outputs = reports.flatMap((r) => r.outputs);
    expect(new Set(outputs).size).toBe(outputs.length);
    // The overlay of the EXIF-turned JPEG has the turned size; every overlay is opaque RGB.
    const turned = await sharp(join(out, 'turned.gradcam.png')).metadata();
    expect([turned.width, turned.height, turned.channels]).toEqual([24, 40, 3]);
    // Run again: the output folder inside the input folder is not explained again.
    const again = await run();
    expect(again.length).toBe(reports.length);
  });

  it('transparent pixels reach the model on the chosen background', async () => {
    const onWhite = await explainFile(join(work, 'in/alpha.png'), { model });
    const onBlack = await explainFile(join(work, 'in/alpha.png'), { model, background: '#000' });
    const overlayAt = (r: typeof onWhite, x: number): number[] => Array.from(r.methods[0]!.items[0]!.overlay!.subarray(x * 4, x * 4 + 4));
    expect(overlayAt(onWhite, 0)[3]).toBe(255);
    expect(overlayAt(onWhite, 0)).not.toEqual(overlayAt(onBlack, 0));
    expect(onWhite.probability).not.toBe(onBlack.probability);
    await expect(explainFile(join(work, 'in/alpha.png'), { model, background: 'nope' })).rejects.toThrow(/unknown background colour 'nope'/);
  });

  it('an async onProgress that rejects fails the call after the batch, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const session = await ExplainSession.open({ model });
    const seen: string[] = [];
    const call = session.explainFiles([join(work, 'in/a/x.png'), join(work, 'in/b/x.png')], {
      out: join(work, 'progress'),
      onProgress: async (r) => {
        seen.push(r.file);
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('async callback failed');
      },
    });
    await expect(call).rejects.toThrow('async callback failed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    expect(seen.length).toBe(2);
    expect(existsSync(join(work, 'progress', 'x-2.gradcam.png'))).toBe(true);
    expect(readFileSync(join(work, 'progress', 'x.gradcam.png')).length).toBeGreaterThan(0);
    await session.dispose();
  });
});
