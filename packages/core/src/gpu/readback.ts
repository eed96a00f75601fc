import type { BufferPool } from './buffer-pool.js';
import { BufferUsage, MapMode } from './flags.js';

/** A range of a GPU buffer to read back. */
export interface ReadRequest {
  readonly buffer: GPUBuffer;
  readonly bytes: number;
}

/**
 * Copies each requested buffer into a pooled staging buffer in one submit and maps them
 * all: one round trip however many outputs are read.
 *
 * @example
 * const [heatmap] = await readBuffers(device, pool, [{ buffer, bytes: n * 4 }]);
 * const values = new Float32Array(heatmap);
 */
export async function readBuffers(device: GPUDevice, pool: BufferPool, requests: readonly ReadRequest[]): Promise<ArrayBuffer[]> {
  const encoder = device.createCommandEncoder({ label: 'wgcam readback' });
  const staging = requests.map((r) => {
    const bytes = Math.ceil(r.bytes / 4) * 4;
    const buffer = pool.acquire(bytes, BufferUsage.MAP_READ | BufferUsage.COPY_DST, 'wgcam readback');
    encoder.copyBufferToBuffer(r.buffer, 0, buffer, 0, bytes);
    return buffer;
  });
  device.queue.submit([encoder.finish()]);
  try {
    await Promise.all(staging.map((b) => b.mapAsync(MapMode.READ)));
    return staging.map((b, i) => b.getMappedRange(0, Math.ceil((requests[i]?.bytes ?? 0) / 4) * 4).slice(0));
  } finally {
    for (const b of staging) {
      if (b.mapState === 'mapped') b.unmap();
      pool.release(b);
    }
  }
}
