// Hostile model folders: a weightsManifest path must stay inside the model's folder after
// following symlinks, be a regular file, and hold the bytes the manifest's weights need.
// Each violation is a ModelLoadError naming the path; a good model loads afterwards.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '@wgcam/core/tfjs';
import { loadModel } from '../src/index.js';

let root: string;

// A one-layer model: Dense 2 → 1 with kernel [2, 1] and bias [1], 12 bytes of float32.
const topology = {
  class_name: 'Sequential',
  config: { name: 'tiny', layers: [{ class_name: 'Dense', config: { name: 'd', units: 1, use_bias: true, activation: 'linear', batch_input_shape: [null, 2], dtype: 'float32' } }] },
};
const weights = [
  { name: 'd/kernel', shape: [2, 1], dtype: 'float32' },
  { name: 'd/bias', shape: [1], dtype: 'float32' },
];
const goodBytes = new Uint8Array(new Float32Array([2, 3, 1]).buffer);

/** Writes a model folder with the given manifest paths (and weight file contents by name). */
function modelFolder(name: string, paths: unknown, files: Record<string, Uint8Array> = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: [{ paths, weights }] }));
  for (const [file, bytes] of Object.entries(files)) writeFileSync(join(dir, file), bytes);
  return join(dir, 'model.json');
}

async function refusal(path: string): Promise<ModelLoadError> {
  const error = await loadModel(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelLoadError);
  return error as ModelLoadError;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'wgcam-loader-'));
  writeFileSync(join(root, 'outside.bin'), goodBytes);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('weight file safety', () => {
  it('loads a good model', async () => {
    const model = (await loadModel(modelFolder('good', ['w.bin'], { 'w.bin': goodBytes }))) as tf.LayersModel;
    const y = model.predict(tf.tensor2d([[1, 1]])) as tf.Tensor;
    expect(Array.from(await y.data())).toEqual([6]);
    model.dispose();
  });

  it('refuses ../ paths out of the folder', async () => {
    const error = await refusal(modelFolder('dotdot', ['../outside.bin']));
    expect(error.message).toContain('outside.bin');
    expect(error.message).toMatch(/outside the model's folder/);
  });

  it('refuses absolute paths', async () => {
    const error = await refusal(modelFolder('absolute', [join(root, 'outside.bin')]));
    expect(error.message).toMatch(/absolute path/);
  });

  it('refuses a symlink that leads out of the folder', async () => {
    const path = modelFolder('symlink', ['w.bin']);
    symlinkSync(join(root, 'outside.bin'), join(root, 'symlink', 'w.bin'));
    const error = await refusal(path);
    expect(error.message).toContain(join(root, 'symlink', 'w.bin'));
    expect(error.message).toMatch(/outside the model's folder/);
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    const path = modelFolder('fifo', ['w.bin']);
    execFileSync('mkfifo', [join(root, 'fifo', 'w.bin')]);
    const error = await refusal(path);
    expect(error.message).toContain(join(root, 'fifo', 'w.bin'));
    expect(error.message).toMatch(/not a regular file/);
  });

  it('refuses a symlink to /dev/zero', async () => {
    const path = modelFolder('devzero', ['w.bin']);
    symlinkSync('/dev/zero', join(root, 'devzero', 'w.bin'));
    const error = await refusal(path);
    expect(error.message).toContain(join(root, 'devzero', 'w.bin'));
  });

  it.each([
    ['short', goodBytes.subarray(0, 8)],
    ['long', new Uint8Array(16)],
  ])('refuses a %s shard, saying how many bytes the weights need', async (name, bytes) => {
    const error = await refusal(modelFolder(`size-${name}`, ['w.bin'], { 'w.bin': bytes }));
    expect(error.message).toContain(join(root, `size-${name}`, 'w.bin'));
    expect(error.message).toMatch(new RegExp(`hold ${bytes.length} bytes, but the group's weights need 12`));
  });

  it('counts the converter’s quantised dtypes at their stored size', async () => {
    const dir = join(root, 'quantised');
    mkdirSync(dir);
    const quantised = weights.map((w) => ({ ...w, quantization: { dtype: 'uint8', scale: 1, min: 0 } }));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: [{ paths: ['w.bin'], weights: quantised }] }));
    writeFileSync(join(dir, 'w.bin'), new Uint8Array([2, 3, 1]));
    const model = (await loadModel(join(dir, 'model.json'))) as tf.LayersModel;
    const y = model.predict(tf.tensor2d([[1, 1]])) as tf.Tensor;
    expect(Array.from(await y.data())).toEqual([6]);
    model.dispose();
  });

  it('refuses paths given as a string instead of a list', async () => {
    const error = await refusal(modelFolder('string-paths', 'w.bin', { 'w.bin': goodBytes }));
    expect(error.message).toMatch(/paths is the string "w\.bin", not a list; write it as \["w\.bin"\]/);
  });

  it('names a missing shard', async () => {
    const error = await refusal(modelFolder('missing', ['nowhere.bin']));
    expect(error.message).toContain(join(root, 'missing', 'nowhere.bin'));
  });

  it('still loads a good model after all of that', async () => {
    const model = (await loadModel(join(root, 'good', 'model.json'))) as tf.LayersModel;
    expect(model.layers).toHaveLength(1);
    model.dispose();
  });
});
