// `wgcam explain --method smoothgradcampp --num-samples --std --seed` and `--eigen-smooth` as
// a user runs them (a spawned process): each flag reaches the explainer and changes what it
// should, and a flag no requested method takes is refused with the methods that take it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Runs `wgcam explain` on one.png at layer pool1 (where noise changes the gradients) and returns its heatmap. */
function heatmap(out: string, ...args: string[]): Float32Array {
  const run = spawnSync(process.execPath, [cli, 'explain', 'one.png', '--model', modelPath, '--layer', 'pool1', '--target', '1', '--backend', 'cpu', '--npy', '--out', out, ...args], { encoding: 'utf8', cwd: work, timeout: 240_000 });
  expect(run.status, run.stderr).toBe(0);
  const method = args[args.indexOf('--method') + 1]!;
  return readNpy(readFileSync(join(work, out, `one.${method}.heatmap.npy`))).data;
}

describe('wgcam explain: Smooth Grad-CAM++ and eigen smoothing', () => {
  it('--std 0 gives Grad-CAM++; --seed and --num-samples change the noisy map; the same flags repeat it', () => {
    const plain = heatmap('a', '--method', 'gradcam++');
    expect(relativeL2(heatmap('b', '--method', 'smoothgradcampp', '--std', '0', '--num-samples', '2'), plain)).toBeLessThan(1e-5);
    const noisy = heatmap('c', '--method', 'smoothgradcampp', '--num-samples', '3', '--std', '0.5', '--seed', '3');
    expect(Array.from(heatmap('d', '--method', 'smoothgradcampp', '--num-samples', '3', '--std', '0.5', '--seed', '3'))).toEqual(Array.from(noisy));
    expect(relativeL2(heatmap('e', '--method', 'smoothgradcampp', '--num-samples', '3', '--std', '0.5', '--seed', '4'), noisy)).toBeGreaterThan(1e-3);
    expect(relativeL2(heatmap('f', '--method', 'smoothgradcampp', '--num-samples', '2', '--std', '0.5', '--seed', '3'), noisy)).toBeGreaterThan(1e-3);
    expect(relativeL2(noisy, plain)).toBeGreaterThan(1e-3);
  });

  it('--eigen-smooth changes a gradient method\'s map', () => {
    expect(relativeL2(heatmap('g', '--method', 'layercam', '--eigen-smooth'), heatmap('h', '--method', 'layercam'))).toBeGreaterThan(1e-3);
  });

  it('--eigen-smooth with no method that takes it fails, naming those that do', () => {
    const run = spawnSync(process.execPath, [cli, 'explain', 'one.png', '--model', modelPath, '--method', 'eigencam', '--eigen-smooth', '--backend', 'cpu', '--out', 'i'], { encoding: 'utf8', cwd: work, timeout: 240_000 });
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/eigenSmooth applies to gradcam, gradcam\+\+/);
  });
});
