// A small synthetic run for the report tests.
import type { BenchResults, ModelCaseResult, Samples, ScoreCamResult } from '../src/report/result-types.js';

const gpu = (ms: number[]): Samples => ({ clock: 'gpu-timestamp', ms, wallMs: ms });
const wall = (ms: number[]): Samples => ({ clock: 'wall', ms, wallMs: ms });
const pool = { created: 10, bytesCreated: 1000, inUse: 0, free: 10 };
const agreementOk = { heatmapRelL2: 1e-7, overlayBytesDiffering: 3, overlayMaxDiff: 1 };

export function modelCase(model: string, batch: number, scale: number): ModelCaseResult {
  return {
    model,
    batch,
    input: { height: 224, width: 224, channels: 3 },
    feature: { height: 7, width: 7, channels: 2048 },
    output: { height: 224, width: 224 },
    forward: gpu([1000 * scale, 1100 * scale, 900 * scale]),
    backward: gpu([10, 10, 10]),
    methods: [
      {
        method: 'gradcam',
        agreement: { tfjsOps: agreementOk, cpu: agreementOk },
        passed: true,
        times: {
          wgcam: { post: gpu([2, 2, 4]), readback: wall([1, 1, 2]) },
          tfjsOps: { post: gpu([20, 30, 40]), readback: wall([1, 1, 2]) },
          cpu: { readback: wall([10, 10, 20]), post: wall([50, 50, 100]) },
        },
      },
    ],
    pool: { afterWarmup: pool, end: pool, flat: true },
  };
}

export function scoreCamCase(model: string, forwardMs: number): ScoreCamResult {
  return {
    model,
    batch: 1,
    channels: 64,
    chunk: 16,
    pairsTotal: 64,
    pairsTimed: 64,
    masks: gpu([1, 1, 1, 1]),
    forwards: gpu([forwardMs, forwardMs, forwardMs, forwardMs]),
    weights: gpu([0.5, 0.5, 0.5, 0.5]),
    tfjsMasks: gpu([30, 30, 30, 30]),
    maskRelL2: 0,
    complete: { finish: gpu([3]), readback: wall([1]), agreement: { tfjsOps: agreementOk, cpu: agreementOk } },
    passed: true,
    pool: { afterWarmup: pool, end: { ...pool, created: 11 }, flat: false },
  };
}

export function results(): BenchResults {
  const cases = [modelCase('resnet50-style', 1, 1), modelCase('shapes-cnn', 8, 0.01)];
  const scoreCam = [scoreCamCase('shapes-cnn', 100)];
  return {
    schema: 'wgcam-bench/1',
    mode: 'quick',
    startedAt: '2025-01-01T00:00:00.000Z',
    durationS: 100,
    environment: {
      runtime: 'node',
      adapter: { vendor: 'google', architecture: 'swiftshader', device: 'x', description: 'SwiftShader driver' },
      software: true,
      timestampQuery: true,
      clock: 'gpu-timestamp',
      emptySpanMs: 0.1,
      tfBackend: 'webgpu',
      versions: { tfjs: '4.22.0' },
      platform: 'linux x64',
      cpus: 2,
    },
    cases,
    scoreCam,
    scaling: [
      {
        parameter: 'channels',
        fixed: '7×7×C',
        points: [
          { size: 256, label: 'C=256', samples: gpu([1, 1]) },
          { size: 512, label: 'C=512', samples: gpu([2, 2]) },
        ],
        growth: { perDoubling: 2, exponent: 1, r2: 1 },
      },
    ],
    targets: [],
    skipped: ['something'],
    failures: [],
  };
}
