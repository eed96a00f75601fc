/** Counters of a BufferPool; flat `created` and `bytesCreated` mean nothing new is allocated. */
export interface PoolStats {
  /** Buffers the pool has ever created. */
  readonly created: number;
  /** Bytes of all buffers the pool has ever created. */
  readonly bytesCreated: number;
  /** Buffers handed out and not yet released. */
  readonly inUse: number;
  /** Buffers waiting in the pool for reuse. */
  readonly free: number;
}

function roundUp16(size: number): number {
  return Math.max(16, Math.ceil(size / 16) * 16);
}

/**
 * Reuses GPU buffers keyed by (size rounded up to 16 bytes, usage). A buffer is released
 * back only after the submit that used it, which is enough in WebGPU: later submits are
 * ordered after earlier ones on the queue.
 *
 * @example
 * const pool = new BufferPool(device);
 * const buffer = pool.acquire(1024, BufferUsage.STORAGE, 'maps');
 * device.queue.submit([encoder.finish()]);
 * pool.release(buffer);
 */
export class BufferPool {
  private readonly freeBuffers = new Map<string, GPUBuffer[]>();
  private readonly owned = new Set<GPUBuffer>();
  private readonly handedOut = new Set<GPUBuffer>();
  private bytesCreated = 0;
  private createdCount = 0;

  constructor(private readonly device: GPUDevice) {}

  /** A buffer of at least `size` bytes with exactly `usage`, reused when one is free. */
  acquire(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const rounded = roundUp16(size);
    const key = `${rounded}:${usage}`;
    const reused = this.freeBuffers.get(key)?.pop();
    const buffer = reused ?? this.create(rounded, usage, label);
    this.handedOut.add(buffer);
    return buffer;
  }

  /** Returns a buffer from `acquire` for reuse by a later submit. */
  release(buffer: GPUBuffer): void {
    if (!this.handedOut.delete(buffer)) {
      throw new Error(`buffer '${buffer.label}' was not handed out by this pool (released twice?)`);
    }
    const key = `${buffer.size}:${buffer.usage}`;
    const list = this.freeBuffers.get(key);
    if (list) list.push(buffer);
    else this.freeBuffers.set(key, [buffer]);
  }

  stats(): PoolStats {
    let free = 0;
    for (const list of this.freeBuffers.values()) free += list.length;
    return { created: this.createdCount, bytesCreated: this.bytesCreated, inUse: this.handedOut.size, free };
  }

  /** Destroys every buffer this pool created, in use or not. */
  destroy(): void {
    for (const buffer of this.owned) buffer.destroy();
    this.owned.clear();
    this.handedOut.clear();
    this.freeBuffers.clear();
  }

  private create(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const buffer = this.device.createBuffer({ size, usage, label });
    this.owned.add(buffer);
    this.bytesCreated += size;
    this.createdCount += 1;
    return buffer;
  }
}
