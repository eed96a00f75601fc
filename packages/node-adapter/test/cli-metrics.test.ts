// `wgcam metrics` run as a user runs it: a spawned process on sample files, JSON lines out.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const star = fileURLToPath(new URL('../../../samples/star.png', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'wgcam-metrics-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function wgcam(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: work });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('wgcam metrics', () => {
  it('prints one JSON line per image with every metric per method; a broken file is reported and the exit code is 1', { timeout: 600_000 }, () => {
    const broken = join(work, 'broken.png');
    writeFileSync(broken, 'not a png');
    const run = wgcam('metrics', star, broken, '--method', 'gradcam,gradcam++', '--steps', '4', '--percentiles', '50', '--json');
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    const [good, bad] = lines;
    expect(good.ok, run.stderr).toBe(true);
    expect(good.label).toBe('star');
    expect(good.methods.map((m: { method: string }) => m.method)).toEqual(['gradcam', 'gradcam++']);
    for (const m of good.methods) {
      for (const key of ['deletionAuc', 'insertionAuc', 'drop', 'roadMorf', 'roadLerf', 'roadCombined']) expect(Number.isFinite(m[key]), key).toBe(true);
      expect(m.deletionAuc).toBeGreaterThanOrEqual(0);
      expect(m.insertionAuc).toBeLessThanOrEqual(1);
      expect(m.roadCombined).toBeCloseTo((m.roadLerf - m.roadMorf) / 2, 12);
    }
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/broken\.png/);
    expect(run.status).toBe(1);
  });

  it('refuses an unknown method and bad percentiles with a message that says what to write', () => {
    const method = wgcam('metrics', star, '--method', 'nope');
    expect(method.status).not.toBe(0);
    expect(method.stderr).toMatch(/unknown method 'nope'; use cam, gradcam/);
    const percentiles = wgcam('metrics', star, '--percentiles', '0,50');
    expect(percentiles.status).not.toBe(0);
    expect(percentiles.stderr).toMatch(/strictly between 0 and 100/);
  });
});
