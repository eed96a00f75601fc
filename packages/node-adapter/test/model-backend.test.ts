// Backend choice for the model pass: what 'auto' picks, one TF.js backend per process
// (a session asking for another one is a typed error), unknown names refused, and the
// CLI's --backend and `wgcam devices` report.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '@wgcam/core';
import { BUNDLED_SAMPLES } from '../src/explain/bundled.js';
import { BackendConflictError, chooseBackend, ExplainSession, openModelRuntime } from '../src/index.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'wgcam-backend-'));
const star = join(BUNDLED_SAMPLES, 'star.png');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function wgcam(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe("'auto'", () => {
  it('picks webgpu on a hardware adapter and wasm on a software one, saying why', () => {
    expect(chooseBackend('auto', { kind: 'hardware', description: 'NVIDIA' }).backend).toBe('webgpu');
    const software = chooseBackend('auto', { kind: 'software', description: 'SwiftShader Device' });
    expect(software.backend).toBe('wasm');
    expect(software.reason).toMatch(/software adapter \(SwiftShader Device\)/);
    expect(chooseBackend('cpu', { kind: 'hardware', description: 'NVIDIA' }).backend).toBe('cpu');
  });
});

describe('sessions and the process-wide backend', () => {
  it('refuses an unknown backend with an InvalidInputError naming the choices', async () => {
    await expect(ExplainSession.open({ backend: 'tpu' as never })).rejects.toThrow(InvalidInputError);
    await expect(openModelRuntime({ backend: 'tpu' as never })).rejects.toThrow(/unknown backend 'tpu'; use one of auto, webgpu, wasm, cpu/);
  });

  it('runs a second session on the same backend, follows it under auto, and refuses another with BackendConflictError', async () => {
    const first = await ExplainSession.open({ backend: 'cpu' });
    try {
      expect(first.runtime.backend).toBe('cpu');
      expect(tf.getBackend()).toBe('cpu');
      const auto = await ExplainSession.open({ backend: 'auto' });
      expect(auto.runtime.backend).toBe('cpu');
      expect(auto.runtime.reason).toMatch(/another open session/);
      await auto.dispose();
      const conflict = ExplainSession.open({ backend: 'wasm' });
      await expect(conflict).rejects.toThrow(BackendConflictError);
      await expect(ExplainSession.open({ backend: 'wasm' })).rejects.toThrow(/already runs on 'cpu'.*dispose the other sessions/);
      expect((await first.explainFile(star)).label).toBe('star');
    } finally {
      await first.dispose();
    }
    // With no session left, another backend may be chosen.
    const second = await ExplainSession.open({ backend: 'wasm' });
    try {
      expect(tf.getBackend()).toBe('wasm');
      expect(second.runtime.wasm?.simd).toBe(true);
      expect((await second.explainFile(star)).label).toBe('star');
    } finally {
      await second.dispose();
    }
  });

  it('refuses to explain when the process backend was switched under an open session', async () => {
    const session = await ExplainSession.open({ backend: 'wasm' });
    try {
      await tf.setBackend('cpu');
      await expect(session.explainFile(star)).rejects.toThrow(BackendConflictError);
      await tf.setBackend('wasm');
      expect((await session.explainFile(star)).ok).toBe(true);
    } finally {
      await session.dispose();
    }
  });
});

describe('the CLI', () => {
  it('explains with --backend wasm and says where the model ran', () => {
    const run = wgcam('explain', star, '--backend', 'wasm', '--method', 'all', '--out', work);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/model backend wasm \(chosen explicitly/);
    expect(run.stdout).toMatch(/SIMD on/);
    expect(run.stdout).toMatch(/1 of 1 images explained/);
  });

  it('refuses an unknown --backend, naming the choices', () => {
    const run = wgcam('explain', star, '--backend', 'tpu', '--out', work);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/'tpu' is invalid.*auto, webgpu, wasm, cpu/s);
  });

  it('wgcam devices --json says what auto picks and why', () => {
    const run = wgcam('devices', '--json');
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { adapter: { kind: string }; modelBackend: { auto: string; reason: string; note: string } };
    expect(report.modelBackend.auto).toBe(report.adapter.kind === 'hardware' ? 'webgpu' : 'wasm');
    expect(report.modelBackend.reason.length).toBeGreaterThan(20);
    expect(report.modelBackend.note).toMatch(/one backend per process/);
  });
});
