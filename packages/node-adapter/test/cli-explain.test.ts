// `wgcam explain` as a user runs it: a spawned process on real files in a temporary folder.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodsInAll } from '@wgcam/core';
import { decodeImage, encodePng, readNpy } from '../src/index.js';
import { fileSystemSaver } from '@wgcam/shapes/node';
import { crc32 } from './hostile-files.js';
import { seededImage, tinyCnn } from './tiny-model.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'wgcam-explain-'));
let modelPath = '';

beforeAll(async () => {
  mkdirSync(join(work, 'model'));
  await tinyCnn().save(fileSystemSaver(join(work, 'model')));
  modelPath = join(work, 'model', 'model.json');
  writeFileSync(join(work, 'model', 'labels.json'), JSON.stringify(['circle', 'square', 'triangle', 'star', 'cross']));
  mkdirSync(join(work, 'images'));
  for (const [name, seed] of [['one', 1], ['two', 2], ['three', 3]] as const) {
    writeFileSync(join(work, 'images', `${name}.png`), await encodePng(seededImage(seed, 40, 32)));
  }
  writeFileSync(join(work, 'tiny.png'), await encodePng(seededImage(4, 1, 1)));
  writeFileSync(join(work, 'notes.png'), 'this is not an image');
  const png = await encodePng(seededImage(5, 40, 32));
  writeFileSync(join(work, 'truncated.png'), png.subarray(0, Math.floor(png.length / 2)));
  // A valid PNG whose header claims 20000×20000, refused before decoding.
  const huge = Buffer.from(png);
  huge.writeUInt32BE(20000, 16);
  huge.writeUInt32BE(20000, 20);
  huge.writeUInt32BE(crc32(huge.subarray(12, 29)), 29); // a valid header: the size check, not the checksum, refuses it
  writeFileSync(join(work, 'huge.png'), huge);
  const photo = new Uint8Array(await sharp(seededImage(6, 45, 30).data, { raw: { width: 45, height: 30, channels: 4 } }).removeAlpha().jpeg({ quality: 90 }).toBuffer());
  writeFileSync(join(work, 'photo.jpg'), photo);
  writeFileSync(join(work, 'broken.jpg'), photo.subarray(0, Math.floor(photo.length / 3)));
  // The same JPEG with its frame header (SOF0) claiming 20000×20000.
  const hugeJpeg = Buffer.from(photo);
  const sof = hugeJpeg.indexOf(Buffer.from([0xff, 0xc0]));
  hugeJpeg.writeUInt16BE(20000, sof + 5);
  hugeJpeg.writeUInt16BE(20000, sof + 7);
  writeFileSync(join(work, 'huge.jpg'), hugeJpeg);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function wgcam(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, 'explain', '--model', modelPath, ...args], { encoding: 'utf8', cwd: work, timeout: 240_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('wgcam explain', () => {
  it('writes an overlay per image and a summary table', async () => {
    const run = wgcam('images', '--method', 'gradcam++', '--out', 'out1', '--npy', '--gray-png', '--batch', '2');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/layer last_conv \(automatic\)/);
    expect(run.stdout).toMatch(/3 of 3 images explained/);
    const files = readdirSync(join(work, 'out1')).sort();
    expect(files).toEqual(
      ['one', 'three', 'two'].flatMap((n) => [`${n}.gradcam++.heatmap.npy`, `${n}.gradcam++.heatmap.png`, `${n}.gradcam++.png`]).sort(),
    );
    const overlay = await decodeImage(readFileSync(join(work, 'out1', 'one.gradcam++.png')));
    expect([overlay.width, overlay.height]).toEqual([40, 32]);
    expect(readNpy(readFileSync(join(work, 'out1', 'one.gradcam++.heatmap.npy'))).shape).toEqual([32, 40]);
  });

  it('prints one JSON object per image with --json', () => {
    const run = wgcam('images/one.png', 'images/two.png', '--method', 'layercam', '--json', '--size', '20x10', '--out', 'out2');
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBe(2);
    for (const line of lines) {
      expect(line['ok']).toBe(true);
      expect(['circle', 'square', 'triangle', 'star', 'cross']).toContain(line['label']);
      expect(line['target']).toEqual({ class: line['class'], label: line['label'] });
      const argmax = line['argmax'] as { x: number; y: number };
      expect(argmax.x).toBeLessThan(20);
      expect(argmax.y).toBeLessThan(10);
      expect((line['outputs'] as string[])[0]).toMatch(/layercam\.png$/);
      expect(Object.keys(line['timings'] as object)).toEqual(['decode', 'preprocess', 'model', 'cam', 'readback', 'encode']);
    }
  });

  it('draws a labelled panel of every method with --method all', async () => {
    const run = wgcam('images/one.png', '--method', 'all', '--out', 'out3');
    expect(run.status, run.stderr).toBe(0);
    const panel = await decodeImage(readFileSync(join(work, 'out3', 'one.panel.png')));
    expect(panel.width).toBeGreaterThan(7 * 192);
    expect(readdirSync(join(work, 'out3')).filter((f) => f.endsWith('.png')).length).toBe(methodsInAll().length + 1); // one overlay per method 'all' runs and the panel
  });

  it('finishes the good images when others are bad, and exits non-zero naming them', () => {
    const run = wgcam('images/one.png', 'tiny.png', 'notes.png', 'truncated.png', 'huge.png', 'missing.png', '--out', 'out4', '--batch', '3');
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/2 of 6 images explained/);
    expect(run.stdout).toMatch(/notes\.png: notes\.png is not a PNG, JPEG, WebP, AVIF, GIF or TIFF image/);
    expect(run.stdout).toMatch(/truncated\.png: truncated\.png could not be decoded/);
    expect(run.stdout).toMatch(/huge\.png: huge\.png is 20000×20000, over the limit/);
    expect(run.stdout).toMatch(/missing\.png: missing\.png does not exist/);
    const files = readdirSync(join(work, 'out4'));
    expect(files.sort()).toEqual(['one.gradcam.png', 'tiny.gradcam.png']);
  });

  it('reads JPEG images, and refuses truncated and oversized ones', async () => {
    const run = wgcam('photo.jpg', 'broken.jpg', 'huge.jpg', '--out', 'out5', '--json');
    expect(run.status).toBe(1);
    const [photo, broken, huge] = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; error?: string; outputs: string[] });
    expect(photo!.ok).toBe(true);
    const overlay = await decodeImage(readFileSync(join(work, photo!.outputs[0]!)));
    expect([overlay.width, overlay.height]).toEqual([45, 30]);
    expect(broken!.error).toMatch(/broken\.jpg could not be decoded \(corrupt or truncated JPEG\)/);
    expect(huge!.error).toMatch(/huge\.jpg is 20000×20000, over the limit/);
    expect(readdirSync(join(work, 'out5'))).toEqual(['photo.gradcam.png']);
  });

  it('reports an unwritable output folder for every image', () => {
    // A folder cannot be made inside a file, whoever runs the test (root ignores permissions).
    const run = wgcam('images/one.png', 'images/two.png', '--out', 'notes.png/sub');
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/0 of 2 images explained/);
    expect(run.stdout).toMatch(/one\.png: cannot create the output folder notes\.png\/sub \(ENOTDIR\)/);
  });

  it('refuses an unknown colormap, a missing model and a corrupt model with clear messages', () => {
    expect(wgcam('images', '--colormap', 'rainbow').stderr).toMatch(/Allowed choices are jet, jet-opencv, turbo, viridis, inferno, gray/);
    const missing = spawnSync(process.execPath, [cli, 'explain', 'images', '--model', 'nope/model.json'], { encoding: 'utf8', cwd: work });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/model file nope\/model.json does not exist/);
    writeFileSync(join(work, 'bad.json'), '{ not json');
    const corrupt = spawnSync(process.execPath, [cli, 'explain', 'images', '--model', 'bad.json'], { encoding: 'utf8', cwd: work });
    expect(corrupt.status).toBe(1);
    expect(corrupt.stderr).toMatch(/bad\.json is not a TF\.js model\.json/);
  });

  it('names the candidates for an unknown layer', () => {
    const run = wgcam('images/one.png', '--layer', 'nope');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no layer named 'nope'; closest layers with a 4-D output: (?=.*conv1)(?=.*pool1)(?=.*last_conv)/);
  });
});
