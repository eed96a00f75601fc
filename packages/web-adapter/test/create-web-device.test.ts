import { describe, expect, it } from 'vitest';
import { createWebDevice, TFJS_LIMITS, WebGpuUnavailableError } from '../src/index.js';

// Stand-ins for navigator.gpu: enough of the API for createWebDevice's decisions.
function fakeAdapter(features: string[], requestDevice: (d: GPUDeviceDescriptor) => Promise<GPUDevice>): GPUAdapter {
  const limits = Object.fromEntries(TFJS_LIMITS.map((name, i) => [name, 1000 + i]));
  return { features: new Set(features), limits, info: { vendor: 'test', architecture: 'fake' }, requestDevice } as unknown as GPUAdapter;
}

function fakeGpu(adapter: GPUAdapter | null | Error): GPU {
  return {
    requestAdapter: async () => {
      if (adapter instanceof Error) throw adapter;
      return adapter;
    },
  } as unknown as GPU;
}

async function failure(promise: Promise<unknown>): Promise<WebGpuUnavailableError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebGpuUnavailableError);
  return error as WebGpuUnavailableError;
}

describe('createWebDevice', () => {
  it('names an insecure context first, since browsers hide navigator.gpu there', async () => {
    const error = await failure(createWebDevice({ gpu: undefined, secureContext: false }));
    expect(error.reason).toBe('insecure-context');
    expect(error.code).toBe('WEBGPU_UNAVAILABLE');
    expect(error.message).toMatch(/https:\/\/.*localhost/);
  });

  it('says how to get WebGPU when navigator.gpu is missing', async () => {
    const error = await failure(createWebDevice({ gpu: undefined, secureContext: true }));
    expect(error.reason).toBe('no-webgpu');
    expect(error.message).toMatch(/enable-unsafe-webgpu/);
  });

  it('reports a missing adapter with what to check', async () => {
    const error = await failure(createWebDevice({ gpu: fakeGpu(null), secureContext: true }));
    expect(error.reason).toBe('no-adapter');
    expect(error.message).toMatch(/chrome:\/\/gpu/);
    const thrown = await failure(createWebDevice({ gpu: fakeGpu(new Error('boom')), secureContext: true }));
    expect(thrown.reason).toBe('no-adapter');
    expect(thrown.message).toMatch(/boom/);
  });

  it('reports a refused device request', async () => {
    const adapter = fakeAdapter([], async () => {
      throw new Error('limits too high');
    });
    const error = await failure(createWebDevice({ gpu: fakeGpu(adapter), secureContext: true }));
    expect(error.reason).toBe('device-failed');
    expect(error.message).toMatch(/limits too high/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("enables only the optional features the adapter has and raises TF.js's limits", async () => {
    let descriptor: GPUDeviceDescriptor | undefined;
    const device = { label: 'fake device' } as GPUDevice;
    const adapter = fakeAdapter(['timestamp-query'], async (d) => {
      descriptor = d;
      return device;
    });
    const result = await createWebDevice({ gpu: fakeGpu(adapter), secureContext: true, optionalFeatures: ['timestamp-query', 'shader-f16'] });
    expect(result.device).toBe(device);
    expect(result.timestamps).toBe(true);
    expect([...result.features]).toEqual(['timestamp-query']);
    expect(descriptor?.requiredFeatures).toEqual(['timestamp-query']);
    expect(descriptor?.requiredLimits).toEqual(Object.fromEntries(TFJS_LIMITS.map((name, i) => [name, 1000 + i])));
  });

  it('leaves timestamps off when the adapter lacks them', async () => {
    const adapter = fakeAdapter([], async () => ({}) as GPUDevice);
    const result = await createWebDevice({ gpu: fakeGpu(adapter), secureContext: true, optionalFeatures: ['timestamp-query'] });
    expect(result.timestamps).toBe(false);
  });
});
