// Shared GPU test fixture: one Dawn device per test file, every test body run inside
// validation, out-of-memory and internal error scopes, and float comparisons that
// report the first failing indices.
import { afterAll, beforeAll, expect } from 'vitest';
// The core never imports an adapter; its tests borrow the Node one to get a device.
import { createNodeDevice, type NodeDevice } from '@wgcam/node-adapter';
import { CamEngine } from '../src/index.js';
import { relativeL2 } from '../src/reference/index.js';

export interface GpuContext {
  device: GPUDevice;
  engine: CamEngine;
}

/** Opens a device and engine before the file's tests and closes them after. */
export function useGpu(): GpuContext {
  const context = {} as GpuContext;
  let node: NodeDevice | undefined;
  beforeAll(async () => {
    node = await createNodeDevice();
    context.device = node.device;
    context.engine = new CamEngine(node.device, { poisonOutputs: true });
  });
  afterAll(() => {
    context.engine?.destroy();
    node?.destroy();
  });
  return context;
}

/** Runs `body` inside GPU error scopes and fails if the device reported any error. */
export async function withGpuErrorScopes<T>(device: GPUDevice, body: () => Promise<T>): Promise<T> {
  device.pushErrorScope('internal');
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = await body();
  } finally {
    const validation = await device.popErrorScope();
    const memory = await device.popErrorScope();
    const internal = await device.popErrorScope();
    const error = validation ?? memory ?? internal;
    if (error) throw new Error(`GPU error during test: ${error.message}`);
  }
  return result;
}

/** Seeded PRNG (mulberry32), uniform in [0, 1): the data set's own generator. */
export { mulberry32 as makeRng } from '@wgcam/shapes';

/** n uniform float32 values in [low, high). */
export function randomFloats(rng: () => number, n: number, low: number, high: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = low + (high - low) * rng();
  return out;
}

/** Fails with a table of the first mismatching indices when the relative L2 error exceeds `tolerance`. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Number.isFinite(actual[i]!)) expect.fail(`${what}: element ${i} is ${actual[i]} (poison or NaN survived)`);
  }
  const error = relativeL2(actual, expected);
  if (!(error <= tolerance)) {
    const rows: string[] = [];
    for (let i = 0; i < expected.length && rows.length < 8; i++) {
      const d = Math.abs(actual[i]! - expected[i]!);
      if (d > tolerance * Math.max(1, Math.abs(expected[i]!))) rows.push(`  [${i}] got ${actual[i]} expected ${expected[i]} (diff ${d.toExponential(2)})`);
    }
    expect.fail(`${what}: relative L2 error ${error.toExponential(3)} > ${tolerance}\nfirst mismatches:\n${rows.join('\n')}`);
  }
}

/** Largest per-channel difference between two byte arrays, with the first index that reaches it. */
export function maxByteDifference(actual: Uint8Array, expected: Uint8Array): { max: number; index: number } {
  let max = 0;
  let index = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (d > max) {
      max = d;
      index = i;
    }
  }
  return { max, index };
}
