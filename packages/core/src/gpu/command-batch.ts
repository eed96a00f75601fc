import { KERNELS, type KernelName } from '@wgcam/shaders';
import { DeviceLimitError, GpuError } from '../errors.js';
import type { BufferPool } from './buffer-pool.js';
import { getPipeline, type OverrideValues } from './pipeline-cache.js';
import { BufferUsage } from './flags.js';

/** One kernel dispatch: what to bind and how many workgroups to launch. */
export interface KernelCall {
  readonly kernel: KernelName;
  readonly params: Readonly<Record<string, number>>;
  readonly buffers: Readonly<Record<string, GPUBuffer>>;
  readonly overrides?: OverrideValues;
  /** Total workgroups; folded into 2-D when over the device's per-dimension limit. */
  readonly workgroups: number;
}

function packParams(kernel: KernelName, params: Readonly<Record<string, number>>): ArrayBuffer {
  const fields = KERNELS[kernel].params;
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const asU32 = new Uint32Array(bytes);
  const asF32 = new Float32Array(bytes);
  fields.forEach((field, i) => {
    const value = params[field.name];
    if (value === undefined) throw new Error(`${kernel}: missing parameter '${field.name}'`);
    if (field.type === 'f32') {
      asF32[i] = value;
    } else {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        throw new DeviceLimitError(`${kernel}: parameter '${field.name}' = ${value} does not fit in a u32`);
      }
      asU32[i] = value;
    }
  });
  return bytes;
}

/** Splits a workgroup count over x and y when it exceeds the per-dimension limit. */
export function foldWorkgroups(count: number, limit: number): [number, number] {
  if (count <= limit) return [count, 1];
  const rows = Math.ceil(count / limit);
  if (rows > limit) {
    throw new DeviceLimitError(`a dispatch of ${count} workgroups exceeds the device limit of ${limit}×${limit}`);
  }
  return [limit, rows];
}

/**
 * Records kernels into one command encoder (one compute pass for consecutive kernels) and
 * submits them once. Temporary buffers go back to the pool right after that submit.
 * With `debug`, each kernel is submitted on its own inside validation and out-of-memory
 * error scopes, so an error names the kernel that caused it.
 *
 * @example
 * const batch = new CommandBatch(device, pool, false);
 * batch.run({ kernel: 'map_minmax', params, buffers, workgroups: maps });
 * batch.submit();
 */
export class CommandBatch {
  private encoder: GPUCommandEncoder;
  private pass: GPUComputePassEncoder | null = null;
  private readonly temporaries: GPUBuffer[] = [];
  private readonly debugChecks: Promise<void>[] = [];
  private submitted = false;
  /** Kernel dispatches recorded so far (empty dispatches included). */
  dispatches = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
    private readonly debug: boolean,
    private readonly label = 'wgcam',
  ) {
    this.encoder = device.createCommandEncoder({ label });
  }

  /** A pooled buffer that lives until this batch is submitted. */
  temporary(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const buffer = this.pool.acquire(size, usage, label);
    this.temporaries.push(buffer);
    return buffer;
  }

  /** Copies `data` into a temporary storage buffer (queued before this batch's submit). */
  upload(data: ArrayBufferView, label: string): GPUBuffer {
    const buffer = this.temporary(data.byteLength, BufferUsage.STORAGE | BufferUsage.COPY_DST, label);
    this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return buffer;
  }

  /** The encoder for non-compute commands (copies, clears); ends the open compute pass. */
  commands(): GPUCommandEncoder {
    this.endPass();
    return this.encoder;
  }

  run(call: KernelCall): void {
    if (this.debug) this.pushScopes();
    const { pipeline, layout } = getPipeline(this.device, call.kernel, call.overrides ?? {});
    const packed = packParams(call.kernel, call.params);
    const uniformBuffer = this.temporary(packed.byteLength, BufferUsage.UNIFORM | BufferUsage.COPY_DST, `${call.kernel} params`);
    this.device.queue.writeBuffer(uniformBuffer, 0, packed);

    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniformBuffer, size: packed.byteLength } }];
    KERNELS[call.kernel].bindings.forEach((binding, i) => {
      const buffer = call.buffers[binding.name];
      if (!buffer) throw new Error(`${call.kernel}: no buffer for binding '${binding.name}'`);
      entries.push({ binding: i + 1, resource: { buffer } });
    });
    const bindGroup = this.device.createBindGroup({ label: call.kernel, layout, entries });

    const [x, y] = foldWorkgroups(call.workgroups, this.device.limits.maxComputeWorkgroupsPerDimension);
    if (!this.pass) this.pass = this.encoder.beginComputePass({ label: this.label });
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    if (x > 0) this.pass.dispatchWorkgroups(x, y);
    this.dispatches++;
    if (this.debug) {
      this.flush();
      this.popScopes(call.kernel);
    }
  }

  /** Submits everything recorded and returns the temporaries to the pool. */
  submit(): void {
    if (this.submitted) throw new Error('CommandBatch submitted twice');
    this.submitted = true;
    this.flush();
    for (const buffer of this.temporaries) this.pool.release(buffer);
    this.temporaries.length = 0;
  }

  /** Resolves when every debug-mode check passed; rejects naming the failing kernel. */
  async checked(): Promise<void> {
    await Promise.all(this.debugChecks);
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  private flush(): void {
    this.endPass();
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = this.device.createCommandEncoder({ label: this.label });
  }

  private pushScopes(): void {
    this.device.pushErrorScope('validation');
    this.device.pushErrorScope('out-of-memory');
  }

  private popScopes(kernel: string): void {
    const memory = this.device.popErrorScope();
    const validation = this.device.popErrorScope();
    this.debugChecks.push(
      Promise.all([memory, validation]).then(([oom, invalid]) => {
        const error = oom ?? invalid;
        if (error) throw new GpuError(`kernel ${kernel}: ${error.message}`);
      }),
    );
  }
}
