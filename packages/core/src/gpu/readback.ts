import { GpuError } from '../errors.js';
import type { BufferPool } from './buffer-pool.js';
import { BufferUsage, MapMode } from './flags.js';
import { gpuWait } from './gpu-wait.js';

/** A range of a GPU buffer to read back. */
export interface ReadRequest {
  readonly buffer: GPUBuffer;
  readonly bytes: number;
}

/**
 * Copies each requested buffer into a pooled staging buffer in one submit and maps them
 * all: one round trip however many outputs are read, waited for as setGpuWait chose for
 * `device`. Every staging buffer goes back to the
 * pool once its map has settled (never while a map is pending, where the next user's copy
 * would fail); one whose map failed is destroyed instead. The first error is the one
 * thrown: a GPU error of the copy (a GpuError), else the first failed map.
 *
 * @example
 * const [heatmap] = await readBuffers(device, pool, [{ buffer, bytes: n * 4 }]);
 * const values = new Float32Array(heatmap);
 */
export async function readBuffers(device: GPUDevice, pool: BufferPool, requests: readonly ReadRequest[]): Promise<ArrayBuffer[]> {
  const sizes = requests.map((r) => Math.ceil(r.bytes / 4) * 4);
  const staging: GPUBuffer[] = [];
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let scoped: Promise<GPUError | null>;
  try {
    const encoder = device.createCommandEncoder({ label: 'wgcam readback' });
    requests.forEach((r, i) => {
      const buffer = pool.acquire(sizes[i]!, BufferUsage.MAP_READ | BufferUsage.COPY_DST, 'wgcam readback');
      staging.push(buffer);
      encoder.copyBufferToBuffer(r.buffer, 0, buffer, 0, sizes[i]!);
    });
    device.queue.submit([encoder.finish()]);
  } catch (error) {
    for (const buffer of staging) pool.release(buffer);
    throw error;
  } finally {
    const validation = device.popErrorScope().catch(() => null);
    const memory = device.popErrorScope().catch(() => null);
    scoped = Promise.all([validation, memory]).then(([v, m]) => v ?? m);
  }
  const mapping = Promise.allSettled(staging.map((b) => b.mapAsync(MapMode.READ)));
  let maps: PromiseSettledResult<undefined>[];
  try {
    maps = await gpuWait(device, mapping);
  } catch (error) {
    // A failed wait (setGpuWait's) is reported once the maps settled and their buffers are back.
    giveBack(pool, staging, await mapping);
    throw error;
  }
  try {
    const copyError = await scoped;
    if (copyError) throw new GpuError(`GPU error reading results back: ${copyError.message.trim()}`);
    const failed = maps.find((m): m is PromiseRejectedResult => m.status === 'rejected');
    if (failed) throw failed.reason;
    return staging.map((b, i) => b.getMappedRange(0, sizes[i]!).slice(0));
  } finally {
    giveBack(pool, staging, maps);
  }
}

/** Returns settled staging buffers to the pool: unmapped, or destroyed when their map failed. */
function giveBack(pool: BufferPool, staging: readonly GPUBuffer[], maps: readonly PromiseSettledResult<undefined>[]): void {
  staging.forEach((buffer, i) => {
    if (maps[i]!.status === 'rejected') {
      pool.discard(buffer);
      return;
    }
    if (buffer.mapState === 'mapped') buffer.unmap();
    pool.release(buffer);
  });
}
