// Long jobs report progress and can be stopped: Score-CAM's masked passes are reported as
// they go (library callback and stderr of the CLI), a stopped run leaves only complete
// files and reports the rest as not done, and --json gives the layer and each method's time.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from '@wgcam/core';
import type { WorkProgress } from '@wgcam/core/tfjs';
import { closeExplainSessions, decodeImage, explainFile, explainFiles } from '../src/index.js';
import { REPO_ROOT } from './fixtures.js';

const CLI = join(REPO_ROOT, 'packages', 'node-adapter', 'bin', 'wgcam.js');
const SAMPLES = join(REPO_ROOT, 'samples');
const work = mkdtempSync(join(tmpdir(), 'wgcam-long-'));
afterAll(async () => {
  await closeExplainSessions();
  rmSync(work, { recursive: true, force: true });
});

describe('progress of long work', () => {
  it("the library reports Score-CAM's masked passes chunk by chunk with an estimate", async () => {
    const seen: (WorkProgress & { files: readonly string[] })[] = [];
    const result = await explainFile(join(SAMPLES, 'star.png'), { method: ['gradcam', 'scorecam'], onWork: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((p) => p.method === 'scorecam' && p.unit === 'masked inputs' && p.files[0]!.endsWith('star.png'))).toBe(true);
    expect(seen.map((p) => p.done)).toEqual([...seen.map((p) => p.done)].sort((a, b) => a - b));
    expect(seen.at(-1)!.done).toBe(seen.at(-1)!.total);
    expect(seen[0]!.done).toBe(0); // announced before the first chunk
    expect(seen[1]!.remainingMs).toBeGreaterThan(0);
    expect(result.methodTimes?.scorecam).toBeGreaterThan(0);
    expect(result.methodTimes?.gradcam).toBeGreaterThan(0);
    expect(result.layer).toBe('last_conv');
  });

  it('an aborted run reports the images it did not explain as cancelled and the others as done', async () => {
    const controller = new AbortController();
    const out = join(work, 'aborted');
    const reports = await explainFiles([SAMPLES], {
      method: 'scorecam',
      out,
      batch: 1,
      signal: controller.signal,
      onWork: () => controller.abort(new Error('test stop')),
    });
    expect(reports.length).toBe(7);
    const cancelled = reports.filter((r) => !r.ok);
    expect(cancelled.length).toBeGreaterThan(0);
    expect(cancelled.every((r) => /stopped/.test(r.error ?? ''))).toBe(true);
    // Every file left is a whole PNG with its final name.
    for (const file of readdirSync(out)) {
      expect(file.endsWith('.tmp')).toBe(false);
      await expect(decodeImage(readFileSync(join(out, file)), file)).resolves.toBeTruthy();
    }
    expect(new CancelledError('x').code).toBe('CANCELLED');
  });
});

describe('wgcam explain on a long job', () => {
  it('prints Score-CAM progress on stderr, stops on Ctrl-C with status 130 and only complete files', async () => {
    const out = join(work, 'cli');
    const child = spawn(process.execPath, [CLI, 'explain', SAMPLES, '--method', 'gradcam,scorecam', '--batch', '1', '--json', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    const started = Date.now();
    let firstProgressMs = -1;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (firstProgressMs < 0 && /wgcam: scorecam: [1-9]\d*\/\d+ masked inputs, ~\d+ (s|min) left/.test(stderr)) {
        firstProgressMs = Date.now() - started;
        child.kill('SIGINT');
      }
    });
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    expect(firstProgressMs).toBeGreaterThan(0);
    expect(status).toBe(130);
    expect(stderr).toMatch(/stopped by Ctrl-C: \d of 7 images explained/);
    const reports = stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; error?: string; layer?: string; methodTimes?: Record<string, number> });
    expect(reports).toHaveLength(7);
    expect(reports.some((r) => !r.ok && /stopped/.test(r.error ?? ''))).toBe(true);
    for (const r of reports.filter((x) => x.ok)) {
      expect(r.layer).toBe('last_conv');
      expect(Object.keys(r.methodTimes ?? {}).sort()).toEqual(['gradcam', 'scorecam']);
    }
    for (const file of readdirSync(out)) expect(file.endsWith('.tmp')).toBe(false);
  });
});
