import { BindingCache, DEFAULT_BINDING_LIMIT, type BindingStats } from './binding-cache.js';

/** Counters of a BufferPool and its binding cache; flat `created`, `bytesCreated`, `bindGroupsCreated` and `uniformBuffersCreated` mean nothing new is allocated. */
export interface PoolStats extends BindingStats {
  /** Buffers the pool has ever created. */
  readonly created: number;
  /** Bytes of all buffers the pool has ever created. */
  readonly bytesCreated: number;
  /** Buffers handed out and not yet released. */
  readonly inUse: number;
  /** Buffers waiting in the pool for reuse. */
  readonly free: number;
  /** Bytes of the buffers the pool holds now (in use and free). */
  readonly bytesHeld: number;
  /** Bytes of free buffers kept for reuse; at most `budget` after every release. */
  readonly bytesFree: number;
  /** Free buffers destroyed to stay within the budget. */
  readonly evicted: number;
  /** The most bytes of free buffers kept for reuse. */
  readonly budget: number;
  /** Handed-out buffers destroyed instead of released (e.g. a staging buffer whose map failed). */
  readonly discarded: number;
}

/** Free buffers a pool keeps for reuse unless told otherwise: enough for several 224² batches. */
export const DEFAULT_POOL_BUDGET = 256 * 1024 * 1024;

function roundUp16(size: number): number {
  return Math.max(16, Math.ceil(size / 16) * 16);
}

/**
 * Reuses GPU buffers keyed by (size rounded up to 16 bytes, usage). A buffer is released
 * back only after the submit that used it, which is enough in WebGPU: later submits are
 * ordered after earlier ones on the queue. Free buffers are kept up to a byte budget;
 * past it the least recently released are destroyed (the GPU frees them once the work
 * already submitted with them is done), so images of ever new sizes cannot grow the pool
 * without bound while a steady stream of one size allocates nothing.
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
  // Free buffers, least recently released first (a Set keeps insertion order).
  private readonly freeOrder = new Set<GPUBuffer>();
  private bytesCreated = 0;
  private createdCount = 0;
  private bytesHeld = 0;
  private bytesFree = 0;
  private evictedCount = 0;
  private discardedCount = 0;
  /** Bind groups and uniform buffers of the kernels run with this pool's buffers; a buffer leaves it before the pool destroys it. */
  readonly bindings: BindingCache;

  constructor(
    private readonly device: GPUDevice,
    /** The most bytes of free buffers kept for reuse. */
    readonly budget = DEFAULT_POOL_BUDGET,
    /** The most bind groups, and the most parameter buffers, its binding cache keeps. */
    bindingLimit = DEFAULT_BINDING_LIMIT,
  ) {
    if (!(budget >= 0)) throw new RangeError(`the pool budget must be a non-negative number of bytes; got ${budget}`);
    if (!Number.isInteger(bindingLimit) || bindingLimit < 0) throw new RangeError(`the binding cache limit must be a non-negative integer; got ${bindingLimit}`);
    this.bindings = new BindingCache(device, bindingLimit);
  }

  /** A buffer of at least `size` bytes with exactly `usage`, reused when one is free. */
  acquire(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const rounded = roundUp16(size);
    const key = `${rounded}:${usage}`;
    const reused = this.freeBuffers.get(key)?.pop();
    if (reused) {
      this.freeOrder.delete(reused);
      this.bytesFree -= reused.size;
    }
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
    this.freeOrder.add(buffer);
    this.bytesFree += buffer.size;
    this.evictOverBudget();
  }

  /**
   * Destroys a buffer from `acquire` instead of reusing it: for a buffer left in an
   * unknown state (a staging buffer whose map failed). Counts as its release.
   */
  discard(buffer: GPUBuffer): void {
    if (!this.handedOut.delete(buffer)) {
      throw new Error(`buffer '${buffer.label}' was not handed out by this pool (released twice?)`);
    }
    this.owned.delete(buffer);
    this.bytesHeld -= buffer.size;
    this.discardedCount += 1;
    this.bindings.forget(buffer);
    buffer.destroy();
  }

  private evictOverBudget(): void {
    for (const oldest of this.freeOrder) {
      if (this.bytesFree <= this.budget) return;
      this.freeOrder.delete(oldest);
      const key = `${oldest.size}:${oldest.usage}`;
      const list = this.freeBuffers.get(key)!;
      list.splice(list.indexOf(oldest), 1);
      if (list.length === 0) this.freeBuffers.delete(key);
      this.bytesFree -= oldest.size;
      this.bytesHeld -= oldest.size;
      this.owned.delete(oldest);
      this.bindings.forget(oldest);
      oldest.destroy();
      this.evictedCount += 1;
    }
  }

  stats(): PoolStats {
    let free = 0;
    for (const list of this.freeBuffers.values()) free += list.length;
    return {
      created: this.createdCount,
      bytesCreated: this.bytesCreated,
      inUse: this.handedOut.size,
      free,
      bytesHeld: this.bytesHeld,
      bytesFree: this.bytesFree,
      evicted: this.evictedCount,
      budget: this.budget,
      discarded: this.discardedCount,
      ...this.bindings.stats(),
    };
  }

  /** Destroys every buffer this pool created, in use or not, and the cached uniform buffers and bind groups. */
  destroy(): void {
    this.bindings.destroy();
    for (const buffer of this.owned) buffer.destroy();
    this.owned.clear();
    this.handedOut.clear();
    this.freeBuffers.clear();
    this.freeOrder.clear();
    this.bytesHeld = 0;
    this.bytesFree = 0;
  }

  private create(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const buffer = this.device.createBuffer({ size, usage, label });
    this.owned.add(buffer);
    this.bytesCreated += size;
    this.bytesHeld += size;
    this.createdCount += 1;
    return buffer;
  }
}
