// `wgcam explain --layer a,b --fuse --aug-smooth` as a user runs it: a spawned process on
// the bundled model and sample; its heatmap equals the library's on the same backend.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AUG_SMOOTH_FLIPS, type FusedComputeOptions } from '@wgcam/core';
import { referenceFused, relativeL2 } from '@wgcam/core/reference';
import { mulberry32 } from '@wgcam/shapes';
import { BUNDLED_SAMPLES } from '../src/explain/bundled.js';
import { ExplainSession, readNpy, writeNpy } from '../src/index.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'wgcam-multi-'));
const image = join(BUNDLED_SAMPLES, 'two-objects-1.png');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function wgcam(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return run('explain', ...args);
}

function run(command: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const spawned = spawnSync(process.execPath, [cli, command, ...args], { encoding: 'utf8', cwd: work, timeout: 240_000 });
  return { status: spawned.status, stdout: spawned.stdout, stderr: spawned.stderr };
}

/** Seeded .npy activations (ReLU-like) and gradients for one layer, written into the work folder. */
function writeLayer(name: string, shape: readonly number[], seed: number): { activations: { data: Float32Array; shape: number[] }; gradients: { data: Float32Array; shape: number[] } } {
  const rng = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const a = Float32Array.from({ length: n }, () => rng());
  const g = Float32Array.from({ length: n }, () => 2 * rng() - 1);
  writeFileSync(join(work, `${name}-a.npy`), writeNpy(a, shape));
  writeFileSync(join(work, `${name}-g.npy`), writeNpy(g, shape));
  return { activations: { data: a, shape: [...shape] }, gradients: { data: g, shape: [...shape] } };
}

describe('wgcam compute over several layers', () => {
  it.each([
    ['two layers, max', [[2, 7, 7, 32], [2, 14, 14, 8]], ['--fuse', 'max'], undefined],
    ['two layers with --aug-smooth (six copies per image), mean', [[6, 5, 9, 16], [6, 3, 4, 40]], ['--aug-smooth'], AUG_SMOOTH_FLIPS],
    ['one layer with --aug-smooth', [[12, 7, 7, 24]], ['--aug-smooth'], AUG_SMOOTH_FLIPS],
  ] as const)('%s equals the float64 reference', { timeout: 120_000 }, (name, shapes, flags, flips) => {
    const stem = name.replace(/[^a-z0-9]+/gi, '-');
    const layers = shapes.map((shape, i) => writeLayer(`${stem}-${i}`, shape, 40 + i));
    const out = join(work, `${stem}.npy`);
    const result = run('compute', '--method', 'gradcam', '--activations', shapes.map((_, i) => `${stem}-${i}-a.npy`).join(','), '--gradients', shapes.map((_, i) => `${stem}-${i}-g.npy`).join(','), '--size', '20x16', '--out', out, ...flags);
    expect(result.status, result.stderr).toBe(0);
    const heatmap = readNpy(readFileSync(out), 'heatmap');
    const options: FusedComputeOptions = { method: 'gradcam', layers, size: { height: 16, width: 20 }, ...((flags as readonly string[]).includes('max') ? { fuse: 'max' as const } : {}), ...(flips ? { augment: { flips } } : {}) };
    expect(heatmap.shape).toEqual([shapes[0]![0]! / (flips ? 6 : 1), 16, 20]);
    const error = relativeL2(heatmap.data, referenceFused(options).heatmap);
    console.log(`wgcam compute ${name}: relative L2 ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-5);
  });

  it.each([
    ['fewer gradients files than activations files', ['--activations', 'x-0-a.npy,x-1-a.npy', '--gradients', 'x-0-g.npy'], /give one gradients file per activations file/],
    ['--normalize feature', ['--activations', 'x-0-a.npy,x-1-a.npy', '--gradients', 'x-0-g.npy,x-1-g.npy', '--normalize', 'feature'], /--normalize feature does not apply/],
    ['a batch the six copies do not divide', ['--activations', 'x-0-a.npy', '--gradients', 'x-0-g.npy', '--aug-smooth'], /not a multiple of the 6 augmentations/],
  ] as const)('refuses %s', (_name, args, message) => {
    writeLayer('x-0', [4, 3, 3, 2], 1);
    writeLayer('x-1', [4, 5, 5, 2], 2);
    const result = run('compute', '--method', 'gradcam', '--out', 'bad.npy', ...args);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});

describe('wgcam explain over several layers', () => {
  it('--layer conv2,last_conv --fuse max --aug-smooth writes the library’s heatmap', { timeout: 300_000 }, async () => {
    const run = wgcam(image, '--layer', 'conv2,last_conv', '--fuse', 'max', '--aug-smooth', '--method', 'gradcam', '--backend', 'cpu', '--out', 'out', '--npy', '--json');
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n')[0]!) as { ok: boolean; layer: string };
    expect(report.ok).toBe(true);
    expect(report.layer).toBe('conv2,last_conv');
    const written = readNpy(readFileSync(join(work, 'out', 'two-objects-1.gradcam.heatmap.npy')), 'heatmap');
    const session = await ExplainSession.open({ layer: 'conv2,last_conv', backend: 'cpu' });
    try {
      const library = await session.explainFile(image, { method: 'gradcam', fuse: 'max', augSmooth: true });
      const heatmap = library.methods[0]!.items[0]!.heatmap;
      const error = relativeL2(written.data, heatmap);
      console.log(`CLI vs library (aug-smoothed max fusion): relative L2 ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-6);
    } finally {
      await session.dispose();
    }
  });

  it('--method all with several layers skips the methods that cannot be fused, saying why', () => {
    const run = wgcam(image, '--layer', 'conv2,last_conv', '--method', 'all', '--backend', 'cpu', '--json');
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n')[0]!) as { ok: boolean; skipped: { method: string; reason: string }[]; methodTimes: Record<string, number> };
    expect(report.ok).toBe(true);
    expect(report.skipped.map((s) => s.method)).toContain('scorecam');
    expect(report.skipped.map((s) => s.method)).toContain('cam');
    expect(report.skipped[0]!.reason).toMatch(/several layers/);
    expect(Object.keys(report.methodTimes)).toContain('gradcam++');
    expect(Object.keys(report.methodTimes)).not.toContain('scorecam');
  });

  it.each([
    ['a repeated layer', ['--layer', 'conv2,conv2'], 1, /listed twice/],
    ['a missing layer', ['--layer', 'conv2,conv9'], 1, /no layer named 'conv9'/],
    ['a score method with --aug-smooth', ['--method', 'scorecam', '--aug-smooth'], 1, /does not run over several layers or with augSmooth/],
    ['an unknown fuse mode', ['--layer', 'conv2,last_conv', '--fuse', 'median'], 1, /Allowed choices are mean, max/],
  ] as const)('refuses %s', (_name, args, status, message) => {
    const run = wgcam(image, '--backend', 'cpu', '--out', 'bad', ...args);
    expect(run.status).toBe(status);
    expect(run.stderr + run.stdout).toMatch(message);
  });
});
