// The Keras fixtures through the spawned `wgcam explain`, as a user types it: the
// fixture's photo, the model folder, --preprocess, Grad-CAM and Grad-CAM++ at feature
// resolution written as .npy — equal to Keras's goldens. Also `wgcam layers`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { relativeL2 } from '@wgcam/core/reference';
import { readNpy } from '../src/io/npy.js';
import { fixtureMeta, fixturesPresent, FIXTURES, goldenArray, minMax, REPO_ROOT } from './fixtures.js';

const present = fixturesPresent('keras');
const CLI = join(REPO_ROOT, 'packages', 'node-adapter', 'bin', 'wgcam.js');
const work = mkdtempSync(join(tmpdir(), 'wgcam-keras-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function wgcam(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// mobilenetv3small has no LayersModel TF.js can read (TFOpLambda); its graph is tested.
const cases = ['mobilenetv2', 'mobilenetv3small', 'efficientnetb0', 'resnet_small', 'densenet_small', 'xception_small', 'vgg_small', 'tm_nested']
  .flatMap((name) => ['layers', 'graph'].map((format) => ({ name, format })))
  .filter(({ name, format }) => !(name === 'mobilenetv3small' && format === 'layers'));

describe.runIf(present)('wgcam explain on the Keras fixtures', () => {
  it.each(cases)('$name ($format): --preprocess, Grad-CAM and Grad-CAM++ equal Keras', { timeout: 300_000 }, ({ name, format }) => {
    const dir = join(FIXTURES, 'keras', name);
    const meta = fixtureMeta(dir);
    const out = join(work, `${name}-${format}`);
    const size = `${meta.layer_shape[2]}x${meta.layer_shape[1]}`;
    const run = wgcam(['explain', join(dir, 'golden', 'image.png'), '--model', join(dir, format), '--preprocess', meta.preprocess, '--method', 'gradcam,gradcam++', '--size', size, '--npy', '--out', out, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop()!) as { ok: boolean; class: number; layer: string };
    expect(report.ok).toBe(true);
    expect(report.class).toBe(meta.top1);
    expect(report.layer === meta.layer || report.layer.endsWith(`/${meta.layer}`)).toBe(true);
    for (const [method, golden] of [['gradcam', 'gradcam'], ['gradcam++', 'gradcampp']] as const) {
      const heatmap = readNpy(readFileSync(join(out, `image.${method}.heatmap.npy`)));
      expect(heatmap.shape).toEqual([meta.layer_shape[1], meta.layer_shape[2]]);
      expect(relativeL2(heatmap.data, minMax(goldenArray(dir, golden).data)), `${method} vs Keras`).toBeLessThan(1e-4);
    }
  });

  it('wgcam layers lists a nested model by path with the recipe layer marked, and a wrong --preprocess is refused', () => {
    const run = wgcam(['layers', '--model', join(FIXTURES, 'keras', 'tm_nested', 'layers'), '--json']);
    expect(run.status, run.stderr).toBe(0);
    const { layers } = JSON.parse(run.stdout.trim().split('\n').pop()!) as { layers: { name: string; automatic: boolean }[] };
    expect(layers.filter((l) => l.automatic).map((l) => l.name)).toEqual(['sequential_1/model1/out_relu']);
    const bad = wgcam(['explain', join(FIXTURES, 'keras', 'tm_nested', 'golden', 'image.png'), '--preprocess', 'imagenet']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unknown preprocessing 'imagenet'; use one of unit, tf, caffe, torch, raw/);
  });
});
