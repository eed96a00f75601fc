import { describe, expect, it } from 'vitest';
import { modelFolderFacts } from '../src/model/model-folder.js';

const folder = (files: Record<string, string>) => async (name: string): Promise<string | undefined> => files[name];

describe('modelFolderFacts', () => {
  it('reads wgcam.json: preset, layer, and labels from a text file beside it', async () => {
    const facts = await modelFolderFacts(folder({ 'wgcam.json': JSON.stringify({ preprocess: 'caffe', layer: 'conv5_block3_out', labels: 'labels.txt' }), 'labels.txt': 'cat\ndog\n' }));
    expect(facts).toEqual({ preprocess: 'caffe', layer: 'conv5_block3_out', labels: ['cat', 'dog'], from: 'wgcam.json' });
  });

  it("understands Teachable Machine's metadata.json as [-1, 1] input with its labels", async () => {
    const facts = await modelFolderFacts(folder({ 'metadata.json': JSON.stringify({ tfjsVersion: '1.3.1', labels: ['Class 1', 'Class 2'], imageSize: 224 }) }));
    expect(facts).toEqual({ preprocess: 'tf', labels: ['Class 1', 'Class 2'], from: 'metadata.json (Teachable Machine)' });
  });

  it('refuses what it cannot apply, saying why', async () => {
    await expect(modelFolderFacts(folder({ 'wgcam.json': '{"preprocess": "imagenet"}' }))).rejects.toThrow(/unknown preprocessing 'imagenet'/);
    await expect(modelFolderFacts(folder({ 'wgcam.json': '{"prepocess": "tf"}' }))).rejects.toThrow(/unknown fields prepocess/);
    await expect(modelFolderFacts(folder({ 'wgcam.json': '{"preprocess": {"scale": 2, "offset": 0}}' }))).rejects.toThrow(/presets unit, tf, caffe, torch and raw/);
    await expect(modelFolderFacts(folder({ 'wgcam.json': '{"labels": "missing.txt"}' }))).rejects.toThrow(/missing.txt, which is not there/);
  });

  it('gives nothing for a bare folder', async () => {
    expect(await modelFolderFacts(folder({}))).toEqual({});
  });
});
