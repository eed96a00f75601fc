// `wgcam explain --layer a,b --fuse --aug-smooth` as a user runs it: a spawned process on
// the bundled model and sample; its heatmap equals the library's on the same backend.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { relativeL2 } from '@wgcam/core/reference';
import { BUNDLED_SAMPLES } from '../src/explain/bundled.js';
import { ExplainSession, readNpy } from '../src/index.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'wgcam-multi-'));
const image = join(BUNDLED_SAMPLES, 'two-objects-1.png');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function wgcam(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, 'explain', ...args], { encoding: 'utf8', cwd: work, timeout: 240_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

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
