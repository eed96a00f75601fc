// A Dawn device for the kernel tests. The web adapter never imports the Node adapter;
// its tests borrow it because Node has no navigator.gpu.
import { afterAll, beforeAll } from 'vitest';
import { createNodeDevice, type NodeDevice } from '@wgcam/node-adapter';

export interface GpuContext {
  device: GPUDevice;
}

/** Opens a device before the file's tests and destroys it after. */
export function useGpu(features: GPUFeatureName[] = []): GpuContext {
  const context = {} as GpuContext;
  let node: NodeDevice | undefined;
  beforeAll(async () => {
    node = await createNodeDevice({ features });
    context.device = node.device;
  });
  afterAll(() => node?.destroy());
  return context;
}

/** Runs `body` inside validation and out-of-memory scopes and fails on any GPU error. */
export async function withErrorScopes<T>(device: GPUDevice, body: () => Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = await body();
  } finally {
    const validation = await device.popErrorScope();
    const memory = await device.popErrorScope();
    const error = validation ?? memory;
    if (error) throw new Error(`GPU error during test: ${error.message}`);
  }
  return result;
}

/** A texture holding `image` (rgba8unorm, sampled by the input kernels). */
export function uploadTexture(device: GPUDevice, image: { data: Uint8Array<ArrayBuffer>; width: number; height: number }): GPUTexture {
  const texture = device.createTexture({ size: [image.width, image.height], format: 'rgba8unorm', usage: 0x04 | 0x02 | 0x01 });
  device.queue.writeTexture({ texture }, image.data, { bytesPerRow: image.width * 4 }, [image.width, image.height]);
  return texture;
}

/** Copies `bytes` of `buffer` back to the CPU. */
export async function readBuffer(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const staging = device.createBuffer({ size: bytes, usage: 0x0001 | 0x0008 });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(0x1);
  const copy = staging.getMappedRange().slice(0);
  staging.destroy();
  return copy;
}

/** Copies an rgba8unorm texture back to the CPU as tightly packed RGBA bytes. */
export async function readTexture(device: GPUDevice, texture: GPUTexture): Promise<Uint8Array> {
  const bytesPerRow = Math.ceil((texture.width * 4) / 256) * 256;
  const staging = device.createBuffer({ size: bytesPerRow * texture.height, usage: 0x0001 | 0x0008 });
  const encoder = device.createCommandEncoder();
  encoder.copyTextureToBuffer({ texture }, { buffer: staging, bytesPerRow }, [texture.width, texture.height]);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(0x1);
  const padded = new Uint8Array(staging.getMappedRange());
  const out = new Uint8Array(texture.width * texture.height * 4);
  for (let y = 0; y < texture.height; y++) out.set(padded.subarray(y * bytesPerRow, y * bytesPerRow + texture.width * 4), y * texture.width * 4);
  staging.unmap();
  staging.destroy();
  return out;
}
