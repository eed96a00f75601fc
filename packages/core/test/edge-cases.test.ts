// Edge inputs and bad input: zeros, constants, NaN/Inf, mismatched shapes, device limits.
import { describe, expect, it } from 'vitest';
import { createNodeDevice } from '@wgcam/node-adapter';
import {
  CamEngine,
  DeviceLimitError,
  GpuError,
  InvalidInputError,
  METHOD_NAMES,
  NonFiniteInputError,
  ShapeError,
  type ComputeOptions,
  type MethodName,
} from '../src/index.js';
import { referenceHeatmaps } from '../src/reference/index.js';
import { CASES, makeInputs } from './cases.js';
import { expectClose, useGpu, withGpuErrorScopes } from './gpu-fixture.js';

const gpu = useGpu();
const small = CASES[5]!; // 5×9×64, B=4

function withActivations(options: ComputeOptions, fill: (i: number, channel: number) => number): ComputeOptions {
  const data = options.activations.data as Float32Array;
  const C = options.activations.shape[3]!;
  return { ...options, activations: { ...options.activations, data: data.map((_, i) => fill(i, i % C)) } };
}

async function heatmapOf(options: ComputeOptions): Promise<Float32Array> {
  return withGpuErrorScopes(gpu.device, async () => {
    const result = gpu.engine.compute(options);
    try {
      return await result.readHeatmap();
    } finally {
      result.release();
    }
  });
}

describe('degenerate maps become zeros, never NaN', () => {
  it.each(METHOD_NAMES)('%s: all-zero activations', async (method) => {
    const heatmap = await heatmapOf(withActivations(makeInputs(method, small, 5), () => 0));
    expect(heatmap.every((v) => v === 0)).toBe(true);
  });

  it.each(METHOD_NAMES)('%s: spatially constant activations', async (method) => {
    // Every position holds the same channel vector (and, for the methods that weight each
    // position by its own gradient, the same gradient vector), so every map is constant.
    let options = withActivations(makeInputs(method, small, 6), (_i, c) => 0.25 + c / 64);
    if (options.gradients) {
      options = { ...options, gradients: { ...options.gradients, data: (options.gradients.data as Float32Array).map((_, i) => ((i % 64) - 20) / 64) } };
    }
    const heatmap = await heatmapOf(options);
    expect(heatmap.every((v) => v === 0)).toBe(true);
  });

  it('a map that ReLU clips everywhere is zero', async () => {
    const options = makeInputs('gradcam', small, 7);
    const gradients = { ...options.gradients!, data: (options.gradients!.data as Float32Array).map(() => -1) };
    const heatmap = await heatmapOf({ ...options, gradients });
    expect(heatmap.every((v) => v === 0)).toBe(true);
  });
});

describe('NaN and Inf give a typed error naming the input', () => {
  const cases: [string, (o: ComputeOptions) => ComputeOptions, string][] = [
    ['NaN activations', (o) => withActivations(o, (i) => (i === 17 ? Number.NaN : 0.5)), 'activations'],
    ['Inf gradients', (o) => ({ ...o, gradients: { ...o.gradients!, data: (o.gradients!.data as Float32Array).map((v, i) => (i === 3 ? Infinity : v)) } }), 'gradients'],
    ['overflowing map', (o) => ({ ...withActivations(o, () => 3e38), gradients: { ...o.gradients!, data: (o.gradients!.data as Float32Array).map(() => 3e38) } }), 'intermediate map'],
  ];
  it.each(cases)('%s', async (_name, corrupt, source) => {
    const options = corrupt(makeInputs('gradcam', small, 8));
    const error = await heatmapOf(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteInputError);
    expect((error as NonFiniteInputError).sources).toContain(source);
  });

  const newMethods: [string, MethodName, (o: ComputeOptions) => ComputeOptions, string][] = [
    ['Eigen-CAM, NaN activations', 'eigencam', (o) => withActivations(o, (i) => (i === 17 ? Number.NaN : 0.5 + (i % 7) / 10)), 'activations'],
    ['Eigen-CAM, Inf activations', 'eigencam', (o) => withActivations(o, (i) => (i === 3 ? -Infinity : 0.5)), 'activations'],
    ['Eigen-Grad-CAM, Inf gradients', 'eigengradcam', (o) => ({ ...o, gradients: { ...o.gradients!, data: (o.gradients!.data as Float32Array).map((v, i) => (i === 5 ? Infinity : v)) } }), 'gradients'],
    ['element-wise Grad-CAM, NaN gradients', 'gradcamelementwise', (o) => ({ ...o, gradients: { ...o.gradients!, data: (o.gradients!.data as Float32Array).map((v, i) => (i === 9 ? Number.NaN : v)) } }), 'gradients'],
  ];
  it.each(newMethods)('%s', async (_name, method, corrupt, source) => {
    const error = await heatmapOf(corrupt(makeInputs(method, small, 8))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteInputError);
    expect((error as NonFiniteInputError).sources).toContain(source);
  });

  it.each(METHOD_NAMES)('%s: a NaN activation is refused, naming the activations', async (method) => {
    const error = await heatmapOf(withActivations(makeInputs(method, small, 12), (i) => (i === 29 ? Number.NaN : 0.5 + (i % 5) / 10))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteInputError);
    expect((error as NonFiniteInputError).sources).toContain('activations');
  });

  it('NaN in the CAM dense kernel', async () => {
    const options = makeInputs('cam', small, 9);
    const denseKernel = { ...options.denseKernel!, data: (options.denseKernel!.data as Float32Array).map(() => Number.NaN) };
    await expect(heatmapOf({ ...options, denseKernel })).rejects.toThrow(/weights or scores/);
  });
});

describe('bad shapes and options are refused before any GPU work', () => {
  const base = makeInputs('gradcam', small, 10);
  const bad: [string, ComputeOptions, new (...args: never[]) => Error, RegExp][] = [
    ['gradients of another shape', { ...base, gradients: { data: new Float32Array(4 * 5 * 9 * 32), shape: [4, 5, 9, 32] } }, ShapeError, /do not match activations/],
    ['a zero-sized dimension', { ...base, activations: { data: new Float32Array(0), shape: [4, 0, 9, 64] } }, ShapeError, /positive integer/],
    ['C = 0', { ...base, activations: { data: new Float32Array(0), shape: [4, 5, 9, 0] } }, ShapeError, /dimension 3 is 0/],
    ['3-D activations', { ...base, activations: { data: new Float32Array(45), shape: [5, 9, 1] } }, ShapeError, /\[B, h, w, C\]/],
    ['data shorter than the shape', { ...base, activations: { data: new Float32Array(10), shape: [4, 5, 9, 64] } }, ShapeError, /holds 10/],
    ['an unknown method', { ...base, method: 'gradcam3' as never }, InvalidInputError, /unknown method 'gradcam3'/],
    ['no gradients for Grad-CAM', { method: 'gradcam', activations: base.activations }, InvalidInputError, /needs gradients/],
    ['an unknown colormap', { ...base, overlay: { colormap: 'rainbow' as never } }, InvalidInputError, /unknown colormap 'rainbow'/],
    ['alpha above 1', { ...base, overlay: { alpha: 1.5 } }, InvalidInputError, /alpha must be in \[0, 1\]/],
    ['a fractional output size', { ...base, size: { height: 10.5, width: 3 } }, InvalidInputError, /positive integers/],
    ['an output over the device limits', { ...base, size: { height: 20000, width: 20000 } }, DeviceLimitError, /storage buffer limit/],
  ];
  it.each(bad)('%s', (_name, options, type, message) => {
    const before = gpu.engine.poolStats();
    expect(() => gpu.engine.compute(options)).toThrow(type);
    expect(() => gpu.engine.compute(options)).toThrow(message);
    expect(gpu.engine.poolStats().inUse).toBe(before.inUse);
  });

  it('a CAM target out of range', () => {
    const options = makeInputs('cam', small, 11);
    expect(() => gpu.engine.compute({ ...options, targets: 10 })).toThrow(/out of range: the model has classes 0..9/);
  });

  it('a dense kernel whose rows are not the channels', () => {
    const options = makeInputs('cam', small, 12);
    expect(() => gpu.engine.compute({ ...options, denseKernel: { data: new Float32Array(32 * 10), shape: [32, 10] } })).toThrow(/GAP → Dense/);
  });

  it('a GPUBuffer without STORAGE usage', () => {
    const buffer = gpu.device.createBuffer({ size: 4 * 5 * 9 * 64 * 4, usage: 0x0008 /* COPY_DST */ });
    expect(() => gpu.engine.compute({ ...base, activations: { data: buffer, shape: [4, 5, 9, 64] } })).toThrow(/needs GPUBufferUsage.STORAGE/);
    buffer.destroy();
  });
});

describe('large dispatches and GPU-resident inputs', () => {
  it('folds a dispatch over 65535 workgroups into 2-D', async () => {
    const options: ComputeOptions = { ...makeInputs('gradcam', CASES[2]!, 13), size: { height: 2100, width: 2100 } };
    expect(Math.ceil((2100 * 2100) / 64)).toBeGreaterThan(gpu.device.limits.maxComputeWorkgroupsPerDimension);
    expectClose(await heatmapOf(options), referenceHeatmaps(options).heatmap, 1e-5, 'folded upsample');
  });

  it('takes activations and gradients as GPU buffers', async () => {
    const options = makeInputs('gradcam++', CASES[4]!, 14);
    const upload = (data: Float32Array): GPUBuffer => {
      const buffer = gpu.device.createBuffer({ size: data.byteLength, usage: 0x0080 | 0x0008 });
      gpu.device.queue.writeBuffer(buffer, 0, data);
      return buffer;
    };
    const a = upload(options.activations.data as Float32Array);
    const g = upload(options.gradients!.data as Float32Array);
    const heatmap = await heatmapOf({ ...options, activations: { ...options.activations, data: a }, gradients: { ...options.gradients!, data: g } });
    expectClose(heatmap, referenceHeatmaps(options).heatmap, 1e-5, 'GPU buffer inputs');
    a.destroy();
    g.destroy();
  });

  it('debug mode names kernels and gives the same result', async () => {
    const engine = new CamEngine(gpu.device, { debug: true });
    const options = makeInputs('xgradcam', CASES[5]!, 15);
    const result = engine.compute(options);
    expectClose(await result.readHeatmap(), referenceHeatmaps(options).heatmap, 1e-5, 'debug mode');
    result.release();
    engine.destroy();
  });

  it('a lost device gives a GpuError, not a crash', async () => {
    const node = await createNodeDevice();
    const engine = new CamEngine(node.device);
    node.device.destroy();
    await node.device.lost;
    expect(() => engine.compute(makeInputs('gradcam', small, 16))).toThrow(GpuError);
    engine.destroy();
  });
});
