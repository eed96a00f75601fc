import { BufferUsage } from './flags.js';

/** Counters of a BindingCache; flat `*Created` across calls means no new GPU objects. */
export interface BindingStats {
  /** Bind groups created so far. */
  readonly bindGroupsCreated: number;
  /** Uniform (parameter) buffers created so far. */
  readonly uniformBuffersCreated: number;
  /** Bind groups kept now. */
  readonly bindGroups: number;
  /** Uniform buffers kept now. */
  readonly uniformBuffers: number;
}

interface CachedGroup {
  readonly group: GPUBindGroup;
  readonly buffers: readonly GPUBuffer[];
}

/** Bind groups and uniform buffers kept unless told otherwise: far more than one call of any method uses. */
export const DEFAULT_BINDING_LIMIT = 512;

/**
 * Keeps the GPU objects of dispatches that repeat: one uniform buffer per (kernel,
 * parameter values), written once, and one bind group per (bind group layout, buffers).
 * A steady stream of calls of one shape then creates no GPU object at all, and writes no
 * parameters. Each map keeps at most `limit` entries, least recently used evicted first,
 * but only in `trim()` between batches, so nothing a batch being recorded refers to goes
 * away. A buffer pool calls `forget` before it destroys a buffer, so no cached bind group
 * ever refers to a destroyed pool buffer.
 *
 * @example
 * const params = cache.uniform('map_minmax', packed);
 * const group = cache.bindGroup(layout, [params, maps, ranges, status]);
 * // ... after the batch is submitted:
 * cache.trim();
 */
export class BindingCache {
  // Stable small numbers for object identity in string keys (no strong reference kept).
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private readonly uniforms = new Map<string, GPUBuffer>();
  private readonly groups = new Map<string, CachedGroup>();
  private readonly groupsByBuffer = new Map<GPUBuffer, Set<string>>();
  private groupsCreated = 0;
  private uniformsCreated = 0;

  constructor(
    private readonly device: GPUDevice,
    /** The most bind groups, and separately the most uniform buffers, kept. */
    readonly limit = DEFAULT_BINDING_LIMIT,
  ) {}

  /** A uniform buffer holding `packed`, shared by every dispatch of `kernel` with these values. */
  uniform(kernel: string, packed: ArrayBuffer): GPUBuffer {
    const key = `${kernel}:${Array.from(new Uint32Array(packed)).join(',')}`;
    const hit = this.uniforms.get(key);
    if (hit) {
      this.uniforms.delete(key);
      this.uniforms.set(key, hit);
      return hit;
    }
    const buffer = this.device.createBuffer({ label: `${kernel} params`, size: packed.byteLength, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
    this.device.queue.writeBuffer(buffer, 0, packed);
    this.uniformsCreated += 1;
    this.uniforms.set(key, buffer);
    return buffer;
  }

  /** The bind group of `layout` with `buffers` at bindings 0, 1, … (each bound whole). */
  bindGroup(layout: GPUBindGroupLayout, buffers: readonly GPUBuffer[], label: string): GPUBindGroup {
    const key = [this.id(layout), ...buffers.map((b) => this.id(b))].join(':');
    const hit = this.groups.get(key);
    if (hit) {
      this.groups.delete(key);
      this.groups.set(key, hit);
      return hit.group;
    }
    const group = this.device.createBindGroup({ label, layout, entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
    this.groupsCreated += 1;
    this.groups.set(key, { group, buffers });
    for (const buffer of new Set(buffers)) {
      const keys = this.groupsByBuffer.get(buffer);
      if (keys) keys.add(key);
      else this.groupsByBuffer.set(buffer, new Set([key]));
    }
    return group;
  }

  /** Drops every bind group that refers to `buffer` (call before destroying it). */
  forget(buffer: GPUBuffer): void {
    const keys = this.groupsByBuffer.get(buffer);
    if (!keys) return;
    for (const key of [...keys]) this.dropGroup(key);
  }

  /** Evicts least recently used entries past the limit; call only between batches. */
  trim(): void {
    for (const key of this.groups.keys()) {
      if (this.groups.size <= this.limit) break;
      this.dropGroup(key);
    }
    for (const [key, buffer] of this.uniforms) {
      if (this.uniforms.size <= this.limit) break;
      this.uniforms.delete(key);
      this.forget(buffer);
      // Work already submitted with it still runs: WebGPU frees it after that work.
      buffer.destroy();
    }
  }

  /** @internal Every buffer a kept bind group refers to (for tests: none may be destroyed). */
  referencedBuffers(): GPUBuffer[] {
    return [...this.groupsByBuffer.keys()];
  }

  stats(): BindingStats {
    return { bindGroupsCreated: this.groupsCreated, uniformBuffersCreated: this.uniformsCreated, bindGroups: this.groups.size, uniformBuffers: this.uniforms.size };
  }

  /** Destroys the uniform buffers and drops every bind group. */
  destroy(): void {
    for (const buffer of this.uniforms.values()) buffer.destroy();
    this.uniforms.clear();
    this.groups.clear();
    this.groupsByBuffer.clear();
  }

  private dropGroup(key: string): void {
    const entry = this.groups.get(key);
    if (!entry) return;
    this.groups.delete(key);
    for (const buffer of entry.buffers) {
      const keys = this.groupsByBuffer.get(buffer);
      keys?.delete(key);
      if (keys && keys.size === 0) this.groupsByBuffer.delete(buffer);
    }
  }

  private id(object: object): number {
    let id = this.ids.get(object);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(object, id);
    }
    return id;
  }
}
