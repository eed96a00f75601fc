// `wgcam explain --method smoothgradcampp --num-samples --std --seed` and `--eigen-smooth` as
// a user runs them (a spawned process): each flag reaches the explainer and changes what it
// should, and a flag no requested method takes is refused with the methods that take it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relativeL2 } from '@wgcam/core/reference';
import { encodePng, readNpy } from '../src/index.js';
import { fileSystemSaver } from '@wgcam/shapes/node';
import { seededImage, tinyCnn } from './tiny-model.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'wgcam-smooth-'));
let modelPath = '';

beforeAll(async () => {
  mkdirSync(join(work, 'model'));
  await tinyCnn(13).save(fileSystemSaver(join(work, 'model')));
  modelPath = join(work, 'model', 'model.json');
  writeFileSync(join(work, 'one.png'), await encodePng(seededImage(21, 24, 20)));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `wgcam explain` on one.png at layer pool1 (where noise changes the gradients) into `out`. */
function explain(out: string, ...args: string[]): void {
  const run = spawnSync(process.execPath, [cli, 'explain', 'one.png', '--model', modelPath, '--layer', 'pool1', '--target', '1', '--backend', 'cpu', '--npy', '--out', out, ...args], { encoding: 'utf8', cwd: work, timeout: 240_000 });
  expect(run.status, run.stderr).toBe(0);
}

/** The heatmap `method` wrote into `out`. */
function heatmap(out: string, method: string): Float32Array {
  return readNpy(readFileSync(join(work, out, `one.${method}.heatmap.npy`))).data;
}

// Each spawned run loads TF.js and a Dawn device (~30 s on a loaded software machine): a few runs per test.
const SPAWNS = 300_000;

describe('wgcam explain: Smooth Grad-CAM++ and eigen smoothing', () => {
  it('--std 0 gives Grad-CAM++\'s map; noise (--std 0.5) changes it', { timeout: SPAWNS }, () => {
    explain('a', '--method', 'gradcam++,smoothgradcampp', '--std', '0', '--num-samples', '2');
    expect(relativeL2(heatmap('a', 'smoothgradcampp'), heatmap('a', 'gradcam++'))).toBeLessThan(1e-5);
    explain('b', '--method', 'gradcam++,smoothgradcampp', '--num-samples', '3', '--std', '0.5', '--seed', '3');
    expect(relativeL2(heatmap('b', 'smoothgradcampp'), heatmap('b', 'gradcam++'))).toBeGreaterThan(1e-3);
  });

  it('the same --seed repeats the map exactly; another --seed or --num-samples changes it', { timeout: SPAWNS }, () => {
    const flags = ['--method', 'smoothgradcampp', '--std', '0.5'];
    explain('c', ...flags, '--num-samples', '3', '--seed', '3');
    explain('d', ...flags, '--num-samples', '3', '--seed', '3');
    explain('e', ...flags, '--num-samples', '3', '--seed', '4');
    explain('f', ...flags, '--num-samples', '2', '--seed', '3');
    const noisy = heatmap('c', 'smoothgradcampp');
    expect(Array.from(heatmap('d', 'smoothgradcampp'))).toEqual(Array.from(noisy));
    expect(relativeL2(heatmap('e', 'smoothgradcampp'), noisy)).toBeGreaterThan(1e-3);
    expect(relativeL2(heatmap('f', 'smoothgradcampp'), noisy)).toBeGreaterThan(1e-3);
  });

  it('--eigen-smooth changes a gradient method\'s map', { timeout: SPAWNS }, () => {
    explain('g', '--method', 'layercam', '--eigen-smooth');
    explain('h', '--method', 'layercam');
    expect(relativeL2(heatmap('g', 'layercam'), heatmap('h', 'layercam'))).toBeGreaterThan(1e-3);
  });

  it('--eigen-smooth with no method that takes it fails, naming those that do', { timeout: SPAWNS }, () => {
    const run = spawnSync(process.execPath, [cli, 'explain', 'one.png', '--model', modelPath, '--method', 'eigencam', '--eigen-smooth', '--backend', 'cpu', '--out', 'i'], { encoding: 'utf8', cwd: work, timeout: 240_000 });
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/eigenSmooth applies to gradcam, gradcam\+\+/);
  });

  it.each([
    ['--aug-smooth', ['--aug-smooth']],
    ['several layers', ['--layer', 'conv2,last_conv']],
  ])('--eigen-smooth with %s is refused before any image, naming the combination', (_name, extra) => {
    const run = spawnSync(process.execPath, [cli, 'explain', 'one.png', '--model', modelPath, '--method', 'gradcam', '--eigen-smooth', ...extra, '--backend', 'cpu', '--out', 'j'], { encoding: 'utf8', cwd: work, timeout: 240_000 });
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/--eigen-smooth does not combine with several layers or --aug-smooth/);
    expect(existsSync(join(work, 'j'))).toBe(false);
  }, SPAWNS);
});
