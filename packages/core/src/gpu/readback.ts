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
 * Copies each requested buffer into one pooled staging buffer (at 4-byte aligned offsets)
 * in one submit and maps it once: one round trip and one map however many outputs are
 * read, waited for as setGpuWait chose for `device`. The staging buffer goes back to the
 * pool once its map has settled (never while the map is pending, where the next user's
 * copy would fail); if its map failed it is destroyed instead. The first error is the one
 * thrown: a GPU error of the copy (a GpuError), else the failed map.
 *
 * @example
 * const [heatmap] = await readBuffers(device, pool, [{ buffer, bytes: n * 4 }]);
 * const values = new Float32Array(heatmap);
 */
export async function readBuffers(device: GPUDevice, pool: BufferPool, requests: readonly ReadRequest[]): Promise<ArrayBuffer[]> {
  const layout = stagingLayout(requests.map((r) => r.bytes));
  const staging: GPUBuffer[] = [];
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let scoped: Promise<GPUError | null>;
  try {
    const encoder = device.createCommandEncoder({ label: 'wgcam readback' });
    staging.push(recordStagingCopies(encoder, pool, requests, layout));
    device.queue.submit([encoder.finish()]);
  } catch (error) {
    for (const buffer of staging) pool.release(buffer);
    throw error;
  } finally {
    const validation = device.popErrorScope().catch(() => null);
    const memory = device.popErrorScope().catch(() => null);
    scoped = Promise.all([validation, memory]).then(([v, m]) => v ?? m);
  }
  const copyError = scoped.then((error) => (error ? new GpuError(`GPU error reading results back: ${error.message.trim()}`) : null));
  return mapStaging(device, pool, staging[0]!, layout, copyError);
}

/** Where each of several reads lies in one staging buffer: 4-byte aligned offsets and sizes, and the total. */
export interface StagingLayout {
  readonly offsets: readonly number[];
  readonly sizes: readonly number[];
  readonly total: number;
}

/**
 * The reads packed one after another, each rounded up to 4 bytes (copyBufferToBuffer's alignment).
 *
 * @example
 * stagingLayout([16, 6]); // { offsets: [0, 16], sizes: [16, 8], total: 24 }
 */
export function stagingLayout(bytes: readonly number[]): StagingLayout {
  const sizes = bytes.map((b) => Math.ceil(b / 4) * 4);
  const offsets: number[] = [];
  let total = 0;
  for (const size of sizes) {
    offsets.push(total);
    total += size;
  }
  return { offsets, sizes, total: Math.max(total, 4) };
}

/**
 * Acquires one staging buffer (MAP_READ | COPY_DST) from the pool and records the copies of
 * `requests` into it at `layout`'s offsets; the caller submits `encoder` and maps the buffer
 * with mapStaging (or releases it to the pool if it never submits).
 *
 * @example
 * const layout = stagingLayout([16, heatmapBytes]);
 * const staging = recordStagingCopies(encoder, pool, [{ buffer: status, bytes: 16 }, { buffer: heatmaps, bytes: heatmapBytes }], layout);
 */
export function recordStagingCopies(encoder: GPUCommandEncoder, pool: BufferPool, requests: readonly ReadRequest[], layout: StagingLayout): GPUBuffer {
  const buffer = pool.acquire(layout.total, BufferUsage.MAP_READ | BufferUsage.COPY_DST, 'wgcam readback');
  requests.forEach((r, i) => {
    if (layout.sizes[i]! > 0) encoder.copyBufferToBuffer(r.buffer, 0, buffer, layout.offsets[i]!, layout.sizes[i]!);
  });
  return buffer;
}

/**
 * Maps a staging buffer whose copies were submitted, once, and returns a copy of each read
 * of `layout`; the buffer goes back to the pool once its map settled (destroyed if the map
 * failed). `copyError` resolves with the copies' GPU error, if any, which is thrown first.
 *
 * @example
 * const [status, heatmap] = await mapStaging(device, pool, staging, layout, Promise.resolve(null));
 */
export async function mapStaging(device: GPUDevice, pool: BufferPool, staging: GPUBuffer, layout: StagingLayout, copyError: Promise<Error | null>): Promise<ArrayBuffer[]> {
  const mapping = Promise.allSettled([staging.mapAsync(MapMode.READ)]);
  let maps: PromiseSettledResult<undefined>[];
  try {
    maps = await gpuWait(device, mapping);
  } catch (error) {
    // A failed wait (setGpuWait's) is reported once the map settled and its buffer is back.
    giveBack(pool, [staging], await mapping);
    throw error;
  }
  try {
    const error = await copyError;
    if (error) throw error;
    const failed = maps.find((m): m is PromiseRejectedResult => m.status === 'rejected');
    if (failed) throw failed.reason;
    const mapped = staging.getMappedRange(0, layout.total);
    return layout.offsets.map((offset, i) => mapped.slice(offset, offset + layout.sizes[i]!));
  } finally {
    giveBack(pool, [staging], maps);
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
