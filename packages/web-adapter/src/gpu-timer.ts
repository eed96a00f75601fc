import { BufferUsage, MapMode } from './gpu-flags.js';

/**
 * GPU timestamps for a frame's stages, spanning several submits (the model's, the
 * engine's, the draw's): passes write into numbered slots, `mark` writes a slot between
 * other work with an empty pass, and `read` resolves all slots and maps them back
 * (a few bytes, never pixels). Two staging buffers take turns; a frame whose staging
 * buffer is still mapped gets no timings rather than a new buffer.
 *
 * @example
 * const timer = GpuTimer.create(device, 4); // null without 'timestamp-query'
 * await input.upload(video, timer?.computePass(0, 1));
 * ... model ...; timer?.mark(1);
 * ... engine ...; presenter.draw(pixels, size, { timestampWrites: timer?.renderPass(2, 3) });
 * const ms = await timer?.read(); // [0, model, model + cam, model + cam + draw]
 */
export class GpuTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: GPUBuffer;
  private readonly staging: GPUBuffer[];
  private readonly busy = new Set<GPUBuffer>();

  private constructor(
    readonly device: GPUDevice,
    readonly slots: number,
  ) {
    this.querySet = device.createQuerySet({ label: 'wgcam stage timestamps', type: 'timestamp', count: slots });
    this.resolveBuffer = device.createBuffer({ label: 'wgcam timestamps', size: slots * 8, usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC });
    this.staging = [0, 1].map((i) => device.createBuffer({ label: `wgcam timestamps readback ${i}`, size: slots * 8, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST }));
  }

  /**
   * A timer with `slots` timestamps, or null when the device lacks 'timestamp-query'.
   *
   * @example
   * const timer = GpuTimer.create(device, 4) ?? cpuFallback;
   */
  static create(device: GPUDevice, slots: number): GpuTimer | null {
    if (!device.features.has('timestamp-query')) return null;
    if (!Number.isInteger(slots) || slots < 2) throw new RangeError(`a GpuTimer needs at least 2 slots; got ${slots}`);
    return new GpuTimer(device, slots);
  }

  /** Timestamp writes for a compute pass: its start into `begin`, its end into `end`. */
  computePass(begin?: number, end?: number): GPUComputePassTimestampWrites {
    return this.writes(begin, end);
  }

  /** Timestamp writes for a render pass. */
  renderPass(begin?: number, end?: number): GPURenderPassTimestampWrites {
    return this.writes(begin, end);
  }

  /** Submits an empty pass that writes `slot` once all earlier submitted work has run. */
  mark(slot: number): void {
    const encoder = this.device.createCommandEncoder({ label: `wgcam timestamp ${slot}` });
    encoder.beginComputePass({ label: `wgcam timestamp ${slot}`, timestampWrites: this.writes(slot) }).end();
    this.device.queue.submit([encoder.finish()]);
  }

  /**
   * Resolves every slot after the work submitted so far and reads them: milliseconds
   * since slot 0, or null when both staging buffers are still in use.
   */
  async read(): Promise<number[] | null> {
    const staging = this.staging.find((b) => !this.busy.has(b));
    if (!staging) return null;
    this.busy.add(staging);
    try {
      const encoder = this.device.createCommandEncoder({ label: 'wgcam timestamps resolve' });
      encoder.resolveQuerySet(this.querySet, 0, this.slots, this.resolveBuffer, 0);
      encoder.copyBufferToBuffer(this.resolveBuffer, 0, staging, 0, this.slots * 8);
      this.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(MapMode.READ);
      const ticks = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      const first = ticks[0] ?? 0n;
      return Array.from(ticks, (t) => Number(t - first) / 1e6);
    } finally {
      this.busy.delete(staging);
    }
  }

  /** Frees the query set and buffers. */
  destroy(): void {
    this.querySet.destroy();
    this.resolveBuffer.destroy();
    for (const b of this.staging) b.destroy();
  }

  private writes(begin?: number, end?: number): { querySet: GPUQuerySet; beginningOfPassWriteIndex?: number; endOfPassWriteIndex?: number } {
    for (const slot of [begin, end]) {
      if (slot !== undefined && !(Number.isInteger(slot) && slot >= 0 && slot < this.slots)) throw new RangeError(`timestamp slot ${slot} is outside 0..${this.slots - 1}`);
    }
    return { querySet: this.querySet, ...(begin !== undefined ? { beginningOfPassWriteIndex: begin } : {}), ...(end !== undefined ? { endOfPassWriteIndex: end } : {}) };
  }
}
