// Spies for the hot-path tests: queue waits, tensor readbacks (in order with the backward
// pass) and image-sized uploads on a device, counted over one call.
import * as tf from '@tensorflow/tfjs';
import { vi } from 'vitest';
import type { Explainer } from '@wgcam/core/tfjs';

/** What one call did, in order: 'backward' when the head was differentiated, 'read [shape]' for each tensor readback. */
export interface HotPathLog {
  readonly events: string[];
  waits(): number;
  /** writeBuffer calls of exactly `bytes` bytes on the watched device. */
  uploadsOf(bytes: number): number;
  /** Buffers created mapped (TF.js's upload staging) of at least `bytes` bytes. */
  stagedAtLeast(bytes: number): number;
  restore(): void;
}

/**
 * Watches `device`'s queue and TF.js's tensor reads until `restore()`.
 *
 * @example
 * const log = watchHotPath(explainer, device);
 * await explainer.explain(image, { method: 'gradcam' });
 * expect(log.waits()).toBe(0);
 */
export function watchHotPath(explainer: Explainer, device: GPUDevice): HotPathLog {
  const events: string[] = [];
  const uploads: number[] = [];
  const queue = device.queue;
  const waits = vi.spyOn(queue, 'onSubmittedWorkDone');
  const write = queue.writeBuffer.bind(queue);
  const writeSpy = vi.spyOn(queue, 'writeBuffer').mockImplementation((...args: Parameters<GPUQueue['writeBuffer']>) => {
    uploads.push(args[4] ?? (args[2] as ArrayBufferLike | ArrayBufferView).byteLength);
    return write(...args);
  });
  const headOriginal = explainer.split.head.bind(explainer.split);
  const headSpy = vi.spyOn(explainer.split, 'head').mockImplementation((...args: Parameters<typeof headOriginal>) => {
    events.push('backward');
    return headOriginal(...args);
  });
  const staged: number[] = [];
  const create = device.createBuffer.bind(device);
  const createSpy = vi.spyOn(device, 'createBuffer').mockImplementation((descriptor: GPUBufferDescriptor) => {
    if (descriptor.mappedAtCreation) staged.push(descriptor.size);
    return create(descriptor);
  });
  let depth = 0;
  const reads = (['data', 'array', 'dataSync', 'arraySync'] as const).map((name) => {
    const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const before = proto[name]!;
    proto[name] = function (this: tf.Tensor, ...a: unknown[]) {
      // array() reads through data(): count the outer call only.
      if (depth === 0) events.push(`read [${this.shape.join(',')}]`);
      depth += 1;
      try {
        return before.apply(this, a);
      } finally {
        depth -= 1;
      }
    };
    return () => void (proto[name] = before);
  });
  return {
    events,
    waits: () => waits.mock.calls.length,
    uploadsOf: (bytes) => uploads.filter((n) => n === bytes).length,
    stagedAtLeast: (bytes) => staged.filter((n) => n >= bytes).length,
    restore: () => {
      waits.mockRestore();
      writeSpy.mockRestore();
      createSpy.mockRestore();
      headSpy.mockRestore();
      for (const undo of reads) undo();
    },
  };
}
