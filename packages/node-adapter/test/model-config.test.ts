// What a model folder says about its model (wgcam.json, Teachable Machine's metadata.json,
// labels files in every format users have), and which setting wins.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '@wgcam/core';
import { checkLabelCount, readLabels } from '../src/explain/labels.js';
import { resolveModelConfig, resolveModelPath } from '../src/explain/model-config.js';

const work = mkdtempSync(join(tmpdir(), 'wgcam-model-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return join(dir, 'model.json');
}

describe('labels', () => {
  it('reads JSON arrays, { labels }, Keras class indexes, text lines and imagenet', async () => {
    const dir = join(work, 'labels');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.json'), '["cat","dog"]');
    writeFileSync(join(dir, 'b.json'), '{"labels":["cat","dog"]}');
    writeFileSync(join(dir, 'index.json'), '{"1":["n02","dog"],"0":["n01","cat"]}');
    writeFileSync(join(dir, 'c.txt'), 'cat\r\ndog\n\n');
    for (const file of ['a.json', 'b.json', 'index.json', 'c.txt']) expect(await readLabels(join(dir, file))).toEqual(['cat', 'dog']);
    const imagenet = await readLabels('imagenet');
    expect(imagenet).toHaveLength(1000);
    expect(imagenet[281]).toMatch(/^tabby/);
  });

  it('refuses what is not a list of names, and a count that does not match the model', async () => {
    const dir = join(work, 'bad-labels');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'nums.json'), '[1,2]');
    writeFileSync(join(dir, 'gap.txt'), 'cat\n\ndog\n');
    await expect(readLabels(join(dir, 'nums.json'))).rejects.toThrow(/not only strings/);
    await expect(readLabels(join(dir, 'gap.txt'))).rejects.toThrow(/empty line at 2/);
    await expect(readLabels(join(dir, 'none.json'))).rejects.toThrow(InvalidInputError);
    expect(() => checkLabelCount(['a', 'b'], 3, 'labels.json')).toThrow(/names 2 classes but the model outputs 3/);
  });
});

describe('resolveModelConfig', () => {
  it('takes preprocessing, layer, input size and labels from wgcam.json', async () => {
    const model = folder('sidecar', { 'wgcam.json': JSON.stringify({ preprocess: 'caffe', layer: 'conv5_block3_out', labels: 'names.txt', inputSize: { width: 224, height: 224 } }), 'names.txt': 'a\nb\n' });
    const config = await resolveModelConfig({}, model);
    expect(config).toMatchObject({ preprocess: 'caffe', layer: 'conv5_block3_out', labels: ['a', 'b'], inputSize: { width: 224, height: 224 } });
    expect(config.origins.join('; ')).toMatch(/preprocess caffe \(wgcam.json\)/);
  });

  it('explicit options win over the sidecar', async () => {
    const model = folder('override', { 'wgcam.json': '{"preprocess":"caffe","labels":["a","b"]}' });
    const config = await resolveModelConfig({ preprocess: 'torch', labels: ['x', 'y'] }, model);
    expect(config.preprocess).toBe('torch');
    expect(config.labels).toEqual(['x', 'y']);
  });

  it("reads Teachable Machine's metadata.json as 'tf' with its labels", async () => {
    const model = folder('tm', { 'metadata.json': JSON.stringify({ tfjsVersion: '1.3.1', tmVersion: '2.4.7', packageName: '@teachablemachine/image', labels: ['Class 1', 'Class 2'], imageSize: 224 }) });
    expect(await resolveModelConfig({}, model)).toMatchObject({ preprocess: 'tf', labels: ['Class 1', 'Class 2'] });
  });

  it('defaults to unit and says it is a default', async () => {
    const config = await resolveModelConfig({}, folder('bare', {}));
    expect(config.preprocess).toBe('unit');
    expect(config.origins.join('; ')).toMatch(/the default: set --preprocess or a wgcam.json/);
  });

  it('refuses a sidecar with unknown fields or a bad preset, naming the file', async () => {
    await expect(resolveModelConfig({}, folder('typo', { 'wgcam.json': '{"prepocess":"tf"}' }))).rejects.toThrow(/wgcam.json has unknown fields prepocess/);
    await expect(resolveModelConfig({}, folder('badpreset', { 'wgcam.json': '{"preprocess":"keras"}' }))).rejects.toThrow(/wgcam.json: unknown preprocessing 'keras'/);
    await expect(resolveModelConfig({}, folder('badsize', { 'wgcam.json': '{"inputSize":[224,224]}' }))).rejects.toThrow(/inputSize must be/);
  });

  it('a model folder means its model.json', () => {
    const model = folder('path', {});
    expect(resolveModelPath(join(work, 'path'))).toBe(model);
    expect(resolveModelPath(model)).toBe(model);
  });
});
