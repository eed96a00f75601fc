// The library entry — explainFile, explainImage, explainFiles, ExplainSession — on real
// files, compared with what the `wgcam explain` process writes for the same image.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, methodsInAll } from '@wgcam/core';
import { ModelLoadError } from '@wgcam/core/tfjs';
import {
  closeExplainSessions,
  decodeImage,
  encodePng,
  explainFile,
  explainFiles,
  explainImage,
  ExplainSession,
  ImageFormatError,
  OutputError,
  readNpy,
} from '../src/index.js';
import { fileSystemSaver } from '@wgcam/shapes/node';
import { seededImage, tinyCnn } from './tiny-model.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'wgcam-api-'));
const labels = ['circle', 'square', 'triangle', 'star', 'cross'];
let model = '';

beforeAll(async () => {
  mkdirSync(join(work, 'model'));
  await tinyCnn().save(fileSystemSaver(join(work, 'model')));
  model = join(work, 'model', 'model.json');
  writeFileSync(join(work, 'model', 'labels.json'), JSON.stringify(labels));
  mkdirSync(join(work, 'images'));
  for (const [name, seed] of [['one', 1], ['two', 2], ['wide', 3]] as const) {
    writeFileSync(join(work, 'images', `${name}.png`), await encodePng(seededImage(seed, name === 'wide' ? 50 : 40, 32)));
  }
  writeFileSync(join(work, 'images', 'broken.png'), 'not a png at all');
});
afterAll(async () => {
  await closeExplainSessions();
  rmSync(work, { recursive: true, force: true });
});

describe('explainFile / explainImage', () => {
  it('explainFile writes the same heatmap as the wgcam explain command', async () => {
    const result = await explainFile(join(work, 'images', 'one.png'), { model, method: 'gradcam++', out: join(work, 'lib'), npy: true });
    expect(result.ok).toBe(true);
    expect(labels).toContain(result.label);
    expect(result.layer).toBe('last_conv');
    expect(result.imageSize).toEqual({ width: 40, height: 32 });
    expect(result.outputs.map((p) => p.slice(work.length + 1)).sort()).toEqual(['lib/one.gradcam++.heatmap.npy', 'lib/one.gradcam++.png']);
    const run = spawnSync(process.execPath, [cli, 'explain', 'images/one.png', '--model', model, '--method', 'gradcam++', '--npy', '--out', 'cli'], { encoding: 'utf8', cwd: work });
    expect(run.status, run.stderr).toBe(0);
    const fromCli = readNpy(readFileSync(join(work, 'cli', 'one.gradcam++.heatmap.npy')));
    const fromLibrary = readNpy(readFileSync(join(work, 'lib', 'one.gradcam++.heatmap.npy')));
    expect(Array.from(fromLibrary.data)).toEqual(Array.from(fromCli.data));
    expect(Array.from(result.methods[0]!.items[0]!.heatmap)).toEqual(Array.from(fromCli.data));
    expect(readFileSync(join(work, 'lib', 'one.gradcam++.png')).equals(readFileSync(join(work, 'cli', 'one.gradcam++.png')))).toBe(true);
  });

  it('explainImage on decoded pixels gives what explainFile gives, without writing files', async () => {
    const pixels = await decodeImage(readFileSync(join(work, 'images', 'two.png')));
    const fromPixels = await explainImage(pixels, { model, method: ['gradcam', 'layercam'], target: { topK: 2 } });
    const fromFile = await explainFile(join(work, 'images', 'two.png'), { model, method: ['gradcam', 'layercam'], target: { topK: 2 } });
    expect(fromPixels.outputs).toEqual([]);
    expect(fromPixels.methods.map((m) => [m.method, m.items.length])).toEqual([['gradcam', 2], ['layercam', 2]]);
    expect(fromPixels.predictions[0]!.classIndex).toBe(fromPixels.class);
    fromPixels.methods.forEach((m, i) =>
      m.items.forEach((item, k) => {
        expect(Array.from(item.heatmap)).toEqual(Array.from(fromFile.methods[i]!.items[k]!.heatmap));
        expect(item.overlay!.length).toBe(40 * 32 * 4);
      }),
    );
  });

  it('loads a model once per session and leaks no tensors over repeated calls', async () => {
    const pixels = seededImage(8, 24, 24);
    await explainImage(pixels, { model });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 8; i++) await explainImage(pixels, { model, method: 'all' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('throws typed errors for bad input, and still works afterwards', async () => {
    await expect(explainFile(join(work, 'missing.png'), { model })).rejects.toThrow(ImageFormatError);
    await expect(explainFile(join(work, 'missing.png'), { model })).rejects.toThrow(/missing\.png does not exist/);
    await expect(explainFile(join(work, 'images', 'broken.png'), { model })).rejects.toThrow(/is not a PNG, JPEG, WebP, AVIF, GIF or TIFF image/);
    await expect(explainImage({ data: new Uint8Array(10), width: 4, height: 4 }, { model })).rejects.toThrow(/4×4×4 = 64 of them; got 10 bytes/);
    await expect(explainImage({ data: new Uint8Array(4), width: 0, height: 1 }, { model })).rejects.toThrow(ImageFormatError);
    await expect(explainImage(seededImage(1), { model, method: 'nope' as 'cam' })).rejects.toThrow(InvalidInputError);
    await expect(explainImage(seededImage(1), { model, colormap: 'rainbow' as 'jet' })).rejects.toThrow(/unknown colormap 'rainbow'/);
    await expect(explainImage(seededImage(1), { model, alpha: 2 })).rejects.toThrow(/alpha must be in \[0, 1\]/);
    await expect(explainImage(seededImage(1), { model, target: 9 })).rejects.toThrow(/out of range/);
    await expect(explainImage(seededImage(1), { model: join(work, 'nope.json') })).rejects.toThrow(ModelLoadError);
    writeFileSync(join(work, 'blocker'), 'a file where a folder should be');
    await expect(explainFile(join(work, 'images', 'one.png'), { model, out: join(work, 'blocker', 'out') })).rejects.toThrow(OutputError);
    const after = await explainImage(seededImage(1), { model, target: 'star' });
    expect(after.ok).toBe(true);
    expect(after.target).toEqual({ class: 3, label: 'star' });
  });
});

describe('explainFiles and ExplainSession', () => {
  it('runs a folder in batches, reports each image, and fails only the bad one', async () => {
    const seen: string[] = [];
    let total = 0;
    const reports = await explainFiles([join(work, 'images')], {
      model,
      method: 'all',
      out: join(work, 'batch'),
      batch: 2,
      onStart: (n) => (total = n),
      onProgress: (r) => seen.push(r.file),
    });
    expect(total).toBe(4);
    expect(seen.sort()).toEqual(reports.map((r) => r.file).sort());
    expect(reports.map((r) => [r.file.slice(work.length + 1), r.ok])).toEqual([
      ['images/broken.png', false],
      ['images/one.png', true],
      ['images/two.png', true],
      ['images/wide.png', true],
    ]);
    expect(reports[0]!.error).toMatch(/not a PNG, JPEG, WebP, AVIF, GIF or TIFF/);
    expect(readdirSync(join(work, 'batch')).filter((f) => f.endsWith('.panel.png')).sort()).toEqual(['one.panel.png', 'two.panel.png', 'wide.panel.png']);
    for (const r of reports.filter((r) => r.ok)) for (const path of r.outputs) expect(existsSync(path)).toBe(true);
  });

  it('an ExplainSession on a loaded model reports its layer and frees what it made', async () => {
    const loaded = tinyCnn(3);
    const session = await ExplainSession.open({ model: loaded, labels, layer: 'conv1' });
    expect(session.layer).toEqual({ name: 'conv1', automatic: false });
    const result = await session.explainImage(seededImage(2), { method: 'hirescam', name: 'x.png' });
    expect(result.heatmapSize).toEqual({ width: 24, height: 20 });
    await session.dispose();
    expect(loaded.layers.length).toBeGreaterThan(0);
    loaded.dispose();
  });

  it("skips CAM under method 'all' when the model has no GAP → Dense head, and says why", async () => {
    const input = tf.input({ shape: [12, 12, 3] });
    const features = tf.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }) }).apply(input) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(features) as tf.SymbolicTensor;
    const logits = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }) }).apply(flat) as tf.SymbolicTensor;
    const flatHead = tf.model({ inputs: input, outputs: logits });
    const session = await ExplainSession.open({ model: flatHead });
    const result = await session.explainImage(seededImage(6, 12, 12), { method: 'all' });
    // Every method 'all' means but CAM, in the table's order.
    expect(result.methods.map((m) => m.method)).toEqual(methodsInAll().filter((m) => m !== 'cam'));
    expect(result.skipped).toEqual([{ method: 'cam', reason: expect.stringMatching(/CAM needs global average pooling/) as unknown as string }]);
    await expect(session.explainImage(seededImage(6, 12, 12), { method: 'cam' })).rejects.toThrow(/Use Grad-CAM instead/);
    await session.dispose();
    flatHead.dispose();
  });

  it('a failed file write is an OutputError; an onProgress that throws fails the call after the batch; a disposed session refuses work', async () => {
    // A folder where the overlay file should go makes its rename fail.
    mkdirSync(join(work, 'clash', 'one.gradcam.png'), { recursive: true });
    await expect(explainFile(join(work, 'images', 'one.png'), { model, out: join(work, 'clash') })).rejects.toThrow(OutputError);
    const reports = await explainFiles([join(work, 'images', 'one.png'), join(work, 'images', 'two.png')], { model, out: join(work, 'clash') });
    expect(reports.map((r) => r.ok)).toEqual([false, true]);
    expect(reports[0]!.error).toMatch(/^writing gradcam outputs failed: /);

    const session = await ExplainSession.open({ model });
    const seen: string[] = [];
    const failing = session.explainFiles([join(work, 'images', 'one.png'), join(work, 'images', 'two.png')], {
      out: join(work, 'progress'),
      onProgress: (r) => {
        seen.push(r.file);
        throw new Error('callback failed');
      },
    });
    await expect(failing).rejects.toThrow('callback failed');
    expect(seen.length).toBe(2);
    expect(readdirSync(join(work, 'progress')).sort()).toEqual(['one.gradcam.png', 'two.gradcam.png']);
    await session.dispose();
    await expect(session.explainImage(seededImage(1))).rejects.toThrow(/disposed/);
  });
});
