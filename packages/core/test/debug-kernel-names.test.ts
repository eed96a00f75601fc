// Debug mode's promise: a GPU error names the kernel that caused it. A kernel recorded with a
// destroyed buffer must make `checked()` reject with a GpuError that names that kernel.
import { describe, expect, it } from 'vitest';
import { KERNELS, type KernelName } from '@wgcam/shaders';
import { GpuError } from '../src/index.js';
import { BufferPool } from '../src/gpu/buffer-pool.js';
import { CommandBatch } from '../src/gpu/command-batch.js';
import { useGpu } from './gpu-fixture.js';

const gpu = useGpu();

function recordBroken(batch: CommandBatch, kernel: KernelName): void {
  const info = KERNELS[kernel];
  const params = Object.fromEntries(info.params.map((p) => [p.name, 1]));
  const buffers = Object.fromEntries(
    info.bindings.map((b) => {
      const buffer = gpu.device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE, label: `broken ${b.name}` });
      buffer.destroy();
      return [b.name, buffer];
    }),
  );
  batch.run({ kernel, params, buffers, workgroups: 1 });
}

describe('debug mode', () => {
  const names = Object.keys(KERNELS) as KernelName[];
  const picked = [names[0]!, names[Math.floor(names.length / 2)]!, names.at(-1)!];

  it.each(picked)('names kernel %s in the GpuError its failure raises', async (kernel) => {
    const pool = new BufferPool(gpu.device);
    const batch = new CommandBatch(gpu.device, pool, true, 'debug test');
    recordBroken(batch, kernel);
    batch.submit();
    const error = await batch.checked().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(GpuError);
    expect((error as GpuError).message).toContain(`kernel ${kernel}:`);
    pool.destroy();
  });
});
