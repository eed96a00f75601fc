// GPU failures never give a silent wrong answer: a GPU error raised while TF.js runs the
// model fails that image with a GpuError, an image the device cannot hold is refused up
// front, and a lost device (or a destroyed engine) fails only the call it happened in —
// the next call, or the rest of the batch, runs on a new device, TF.js backend and engine.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GpuError } from '@wgcam/core';
import { closeExplainSessions, explainFile, ExplainSession, type ImageReport } from '../src/index.js';
import { ImageTooLargeError } from '../src/errors.js';
import { checkGpuBudget, maxImagePixels } from '../src/explain/gpu-budget.js';
import { tfjsDevice } from '../src/explain/gpu-context.js';
import { REPO_ROOT } from './fixtures.js';

const samples = ['circle', 'square', 'triangle', 'star', 'cross'].map((s) => join(REPO_ROOT, 'samples', `${s}.png`));
const out = mkdtempSync(join(tmpdir(), 'wgcam-gpu-failures-'));
const SWIFTSHADER = { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30 };

afterEach(async () => {
  await closeExplainSessions();
});

describe('GPU budget', () => {
  it('refuses 8192×8192 with the model on webgpu on 1 GiB buffers, naming the limit, and accepts 6144×6144', () => {
    const request = { image: { width: 8192, height: 8192 }, batch: 1, heatmap: { width: 8192, height: 8192 }, maps: 1, modelOnGpu: true };
    expect(() => checkGpuBudget(SWIFTSHADER, request)).toThrow(ImageTooLargeError);
    expect(() => checkGpuBudget(SWIFTSHADER, request)).toThrow(/images up to 53,687,091 pixels \(about 7327×7327\)/);
    expect(() => checkGpuBudget(SWIFTSHADER, { ...request, image: { width: 6144, height: 6144 }, heatmap: { width: 6144, height: 6144 } })).not.toThrow();
    // With the model on wasm its input stays in CPU memory: 8192² fits.
    expect(() => checkGpuBudget(SWIFTSHADER, { ...request, modelOnGpu: false })).not.toThrow();
    expect(maxImagePixels(SWIFTSHADER, { maps: 8, modelOnGpu: false })).toBe(Math.floor((2 * 2 ** 30) / 68));
  });
});

for (const backend of ['wasm', 'webgpu'] as const) {
  describe(`a lost device, model on ${backend}`, () => {
    it('the next call after a destroyed device or engine runs on new ones and gives the same answer', async () => {
      const session = await ExplainSession.open({ backend });
      const first = await session.explainFile(samples[0]!);
      const device = session.explainer.engine.device;
      device.destroy();
      const again = await session.explainFile(samples[0]!);
      expect(session.explainer.engine.device).not.toBe(device);
      expect(again.label).toBe(first.label);
      expect(again.probability).toBeCloseTo(first.probability, 5);
      // A destroyed engine breaks neither this session nor the next one.
      session.explainer.engine.destroy();
      expect((await session.explainFile(samples[0]!)).probability).toBeCloseTo(first.probability, 5);
      const other = await ExplainSession.open({ backend });
      other.explainer.engine.destroy();
      const third = await ExplainSession.open({ backend });
      expect((await third.explainFile(samples[0]!)).probability).toBeCloseTo(first.probability, 5);
      await Promise.all([session.dispose(), other.dispose(), third.dispose()]);
      // The library's shared sessions recover too.
      expect((await explainFile(samples[0]!, { backend })).label).toBe(first.label);
    });

    it('a device destroyed mid-batch fails at most the image in flight with a GpuError; the rest of the batch runs on a new device', async () => {
      const session = await ExplainSession.open({ backend });
      const expected = await session.explainFiles(samples, { batch: 1 });
      expect(expected.every((r) => r.ok)).toBe(true);
      let destroyed = false;
      const reports = await session.explainFiles(samples, {
        batch: 1,
        out,
        onProgress: (report: ImageReport) => {
          if (!destroyed && report.ok) {
            destroyed = true;
            session.explainer.engine.device.destroy();
          }
        },
      });
      const failed = reports.filter((r) => !r.ok);
      expect(failed.length).toBeLessThanOrEqual(1);
      for (const r of failed) expect(r.error).toMatch(/GPU device was lost \(it was destroyed.*next call opens a new device/);
      reports.forEach((r, i) => {
        if (r.ok) expect([r.class, r.probability?.toFixed(5)]).toEqual([expected[i]!.class, expected[i]!.probability?.toFixed(5)]);
      });
      expect(reports.at(-1)!.ok).toBe(true);
      await session.dispose();
    });
  });
}

describe('GPU errors inside the model pass', () => {
  it('a validation error raised on TF.js\'s device while the model runs fails the image with a GpuError; the next call is right', async () => {
    const session = await ExplainSession.open({ backend: 'webgpu' });
    const good = await session.explainFile(samples[3]!);
    const explainer = session.explainer;
    const original = explainer.explainMany.bind(explainer);
    const spy = vi.spyOn(explainer, 'explainMany').mockImplementationOnce(async (...args) => {
      // What an out-of-memory upload inside TF.js looks like to the device: an error no one catches.
      tfjsDevice()!.createBuffer({ size: 4, usage: 0xffff });
      return original(...args);
    });
    await expect(session.explainFile(samples[3]!)).rejects.toThrow(GpuError);
    await expect(session.explainFile(samples[3]!)).resolves.toMatchObject({ label: good.label, probability: good.probability });
    spy.mockRestore();
    await session.dispose();
  });
});
