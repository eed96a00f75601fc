// `wgcam compute` and `wgcam devices` run as a user runs them: a spawned process on real
// files in a temporary folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { referenceHeatmaps, relativeL2 } from '@wgcam/core/reference';
import { decodeImage, encodePng, readNpy, writeNpy } from '../src/index.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'wgcam-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function wgcam(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: work });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function seeded(n: number, seed: number, low: number, high: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return low + ((high - low) * s) / 2147483648;
  });
}

function save(name: string, data: Float32Array, shape: number[]): string {
  const path = join(work, name);
  writeFileSync(path, writeNpy(data, shape));
  return path;
}

const A = seeded(2 * 7 * 7 * 32, 1, 0, 1);
const G = seeded(2 * 7 * 7 * 32, 2, -1, 1);
const aPath = save('a.npy', A, [2, 7, 7, 32]);
const gPath = save('g.npy', G, [2, 7, 7, 32]);

describe('wgcam compute', () => {
  it('writes the Grad-CAM++ heatmap as .npy, equal to the reference', () => {
    const run = wgcam('compute', '--method', 'gradcam++', '--activations', aPath, '--gradients', gPath, '--size', '20x30', '--out', 'out/h.npy');
    expect(run.stderr.replace(/^(Warning|  - While|    at ).*\n?/gm, '')).not.toMatch(/wgcam:/);
    expect(run.status).toBe(0);
    const heatmap = readNpy(readFileSync(join(work, 'out/h.npy')));
    expect(heatmap.shape).toEqual([2, 30, 20]);
    const expected = referenceHeatmaps({
      method: 'gradcam++',
      activations: { data: A, shape: [2, 7, 7, 32] },
      gradients: { data: G, shape: [2, 7, 7, 32] },
      size: { height: 30, width: 20 },
    }).heatmap;
    let worst = 0;
    expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - heatmap.data[i]!))));
    expect(worst).toBeLessThan(1e-5);
    expect(readdirSync(join(work, 'out')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--normalize feature normalises at feature resolution (output, the default, after resizing)', () => {
    const run = wgcam('compute', '--method', 'gradcam', '--activations', aPath, '--gradients', gPath, '--size', '20x30', '--normalize', 'feature', '--out', 'out/f.npy');
    expect(run.status).toBe(0);
    const heatmap = readNpy(readFileSync(join(work, 'out/f.npy')));
    const options = { method: 'gradcam' as const, activations: { data: A, shape: [2, 7, 7, 32] }, gradients: { data: G, shape: [2, 7, 7, 32] }, size: { height: 30, width: 20 } };
    expect(relativeL2(heatmap.data, referenceHeatmaps({ ...options, normalize: 'feature' }).heatmap)).toBeLessThan(1e-5);
    expect(relativeL2(heatmap.data, referenceHeatmaps(options).heatmap)).toBeGreaterThan(1e-4);
    const bad = wgcam('compute', '--method', 'gradcam', '--activations', aPath, '--gradients', gPath, '--normalize', 'pixels', '--out', 'out/bad.npy');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/Allowed choices are output, feature/);
  });

  it('draws overlays on an image, one PNG per batch image', async () => {
    const image = new Uint8Array(40 * 50 * 4).fill(200);
    writeFileSync(join(work, 'img.png'), await encodePng({ data: image, width: 50, height: 40 }));
    const run = wgcam('compute', '--method', 'gradcam', '--activations', aPath, '--gradients', gPath, '--image', 'img.png', '--colormap', 'turbo', '--alpha', '0.4', '--out', 'ov.npy');
    expect(run.status).toBe(0);
    expect(readNpy(readFileSync(join(work, 'ov.npy'))).shape).toEqual([2, 7, 7]);
    for (const name of ['ov-0.png', 'ov-1.png']) {
      const png = await decodeImage(readFileSync(join(work, name)));
      expect([png.width, png.height]).toEqual([50, 40]);
      // The overlay differs from the plain grey image wherever colour was blended in.
      expect(png.data.some((v, i) => i % 4 !== 3 && v !== 200)).toBe(true);
    }
  });

  it.each([
    ['gradcamelementwise', ['--gradients', gPath]],
    ['eigencam', []],
    ['eigengradcam', ['--gradients', gPath]],
  ] as const)('computes %s (Eigen-CAM without gradients or a class), equal to the reference', (method, extra) => {
    const run = wgcam('compute', '--method', method, '--activations', aPath, ...extra, '--out', `${method}.npy`);
    expect(run.status).toBe(0);
    const heatmap = readNpy(readFileSync(join(work, `${method}.npy`)));
    expect(heatmap.shape).toEqual([2, 7, 7]);
    const expected = referenceHeatmaps({
      method,
      activations: { data: A, shape: [2, 7, 7, 32] },
      ...(extra.length > 0 ? { gradients: { data: G, shape: [2, 7, 7, 32] } } : {}),
    }).heatmap;
    expect(relativeL2(heatmap.data, expected)).toBeLessThan(1e-5);
  });

  it('computes CAM from a dense kernel and several classes', () => {
    const wPath = save('w.npy', seeded(32 * 5, 3, -1, 1), [32, 5]);
    const run = wgcam('compute', '--method', 'cam', '--activations', aPath, '--weights', wPath, '--class', '1,4', '--out', 'cam.npy');
    expect(run.status).toBe(0);
    expect(readNpy(readFileSync(join(work, 'cam.npy'))).shape).toEqual([2, 2, 7, 7]);
  });

  const failures: [string, string[], RegExp][] = [
    ['a missing file', ['--method', 'gradcam', '--activations', 'nope.npy', '--gradients', 'g.npy'], /nope\.npy cannot be read \(ENOENT\)/],
    ['a file that is not .npy', ['--method', 'gradcam', '--activations', 'img.png', '--gradients', 'g.npy'], /not a \.npy file/],
    ['mismatched gradients', ['--method', 'gradcam', '--activations', 'a.npy', '--gradients', 'w.npy'], /gradients must have shape|do not match/],
    ['CAM without --class', ['--method', 'cam', '--activations', 'a.npy', '--weights', 'w.npy'], /needs --class/],
    ['Grad-CAM without gradients', ['--method', 'gradcam', '--activations', 'a.npy'], /needs --gradients/],
    ['an unknown method', ['--method', 'gradcam4', '--activations', 'a.npy'], /Allowed choices are cam, gradcam/],
    ['a bad size', ['--method', 'gradcam', '--activations', 'a.npy', '--gradients', 'g.npy', '--size', '12'], /not a size; write WxH/],
  ];
  it.each(failures)('exits non-zero with a clear message for %s', (_name, args, message) => {
    const run = wgcam('compute', ...args, '--out', 'fail.npy');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(readdirSync(work)).not.toContain('fail.npy');
  });
});

describe('wgcam devices', () => {
  it('reports the adapter and its limits as JSON', () => {
    const run = wgcam('devices', '--json');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { adapter: { kind: string }; limits: Record<string, number> };
    expect(['hardware', 'software']).toContain(report.adapter.kind);
    expect(report.limits['maxComputeWorkgroupsPerDimension']).toBeGreaterThanOrEqual(65535);
  });
});
