// Times one span of GPU work two ways at once: GPU timestamps written by empty compute
// passes submitted before and after the span (when the device has 'timestamp-query'),
// and wall time from just before the span until onSubmittedWorkDone resolves. The queue
// is drained first, so earlier work never lands inside a span.

/** How a span was timed. */
export type Clock = 'gpu-timestamp' | 'wall';

/** One timed span, in milliseconds. */
export interface SpanTime {
  /** GPU timestamps when the device has them, else equal to wallMs. */
  readonly ms: number;
  readonly wallMs: number;
}

/** A timed span and what its work returned. */
export interface Timed<T> extends SpanTime {
  readonly value: T;
}

/** A clock for spans of GPU work on one device. */
export interface SpanTimer {
  readonly clock: Clock;
  /** Runs `work` (which must submit everything it records) and times it until the GPU is idle. */
  time<T>(work: () => T | Promise<T>): Promise<Timed<T>>;
  /** Wall time of CPU-side work (readbacks, JavaScript loops); `ms` equals `wallMs`. */
  timeWall<T>(work: () => T | Promise<T>): Promise<Timed<T>>;
  destroy(): void;
}

const NS_PER_MS = 1e6;

function markerPass(device: GPUDevice, querySet: GPUQuerySet, index: number): void {
  const encoder = device.createCommandEncoder({ label: 'bench timestamp marker' });
  const pass = encoder.beginComputePass({ label: 'bench timestamp marker', timestampWrites: { querySet, beginningOfPassWriteIndex: index } });
  pass.end();
  device.queue.submit([encoder.finish()]);
}

async function wallTime<T>(device: GPUDevice | null, work: () => T | Promise<T>): Promise<Timed<T>> {
  if (device) await device.queue.onSubmittedWorkDone();
  const start = performance.now();
  const value = await work();
  if (device) await device.queue.onSubmittedWorkDone();
  const ms = performance.now() - start;
  return { ms, wallMs: ms, value };
}

/**
 * A span timer for `device`: GPU timestamps when the device was created with
 * 'timestamp-query', else wall time around onSubmittedWorkDone.
 *
 * @example
 * const timer = createSpanTimer(device);
 * const { ms, value: result } = await timer.time(() => engine.compute(options));
 */
export function createSpanTimer(device: GPUDevice): SpanTimer {
  if (!device.features.has('timestamp-query')) {
    return {
      clock: 'wall',
      time: (work) => wallTime(device, work),
      timeWall: (work) => wallTime(null, work),
      destroy: () => undefined,
    };
  }
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2, label: 'bench span' });
  const resolved = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'bench span resolve' });
  const readable = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'bench span read' });
  return {
    clock: 'gpu-timestamp',
    time: async (work) => {
      const { wallMs, value } = await wallTime(device, async () => {
        markerPass(device, querySet, 0);
        const result = await work();
        markerPass(device, querySet, 1);
        return result;
      });
      const encoder = device.createCommandEncoder({ label: 'bench span resolve' });
      encoder.resolveQuerySet(querySet, 0, 2, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, readable, 0, 16);
      device.queue.submit([encoder.finish()]);
      await readable.mapAsync(GPUMapMode.READ);
      const stamps = new BigUint64Array(readable.getMappedRange().slice(0));
      readable.unmap();
      const gpuNs = Number((stamps[1] as bigint) - (stamps[0] as bigint));
      // A timestamp pair out of order (some drivers reset counters) falls back to wall time.
      return { ms: gpuNs > 0 ? gpuNs / NS_PER_MS : wallMs, wallMs, value };
    },
    timeWall: (work) => wallTime(null, work),
    destroy: () => {
      querySet.destroy();
      resolved.destroy();
      readable.destroy();
    },
  };
}
