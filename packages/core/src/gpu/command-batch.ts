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

/** The three error scopes a batch watches, innermost last. */
const SCOPES: readonly GPUErrorFilter[] = ['internal', 'out-of-memory', 'validation'];

function pushScopes(device: GPUDevice): void {
  for (const filter of SCOPES) device.pushErrorScope(filter);
}

/** Pops the SCOPES pushed last; resolves with the innermost error (validation first), or null. A lost device's rejection counts as no error: the loss is reported on its own. */
function popScopes(device: GPUDevice): Promise<GPUError | null> {
  const pops: Promise<GPUError | null>[] = [];
  for (let i = 0; i < SCOPES.length; i++) {
    try {
      pops.push(device.popErrorScope().catch(() => null));
    } catch {
      pops.push(Promise.resolve(null));
    }
  }
  return Promise.all(pops).then((errors) => errors.find((e) => e !== null) ?? null);
}

function describeError(error: GPUError): string {
  const kind = error.constructor?.name === 'GPUOutOfMemoryError' ? 'out of memory' : error.constructor?.name === 'GPUInternalError' ? 'internal error' : 'validation error';
  return `${kind}: ${error.message.trim()}`;
}

/**
 * Records kernels into one command encoder (one compute pass for consecutive kernels) and
 * submits them once. Temporary buffers go back to the pool right after that submit, or
 * when the recording is abandoned after an error; either way exactly once.
 *
 * The batch's GPU calls (buffers, bind groups, recording, submit, and whatever a caller
 * runs through `scoped`) run inside validation, out-of-memory and internal error scopes
 * that open and close within each synchronous call, so no other work on the device can
 * land in them and a caller that never submits cannot leave one open: `checked()` rejects
 * with a GpuError for an error of this batch's own work, and an error of other work on
 * the same device (TF.js running the model) is never taken for one of ours. With `debug`,
 * each kernel is also submitted on its own inside scopes that name it. Bind groups and
 * parameter buffers come from the pool's BindingCache.
 *
 * @example
 * const batch = new CommandBatch(device, pool, false);
 * try {
 *   batch.run({ kernel: 'map_minmax', params, buffers, workgroups: maps });
 *   batch.submit();
 * } catch (error) {
 *   batch.abandon();
 *   throw error;
 * }
 * await batch.checked();
 */
export class CommandBatch {
  private encoder: GPUCommandEncoder;
  private pass: GPUComputePassEncoder | null = null;
  private readonly temporaries: GPUBuffer[] = [];
  // Arrays uploadOnce put in temporaries, by array: each goes up once per batch.
  private readonly uploaded = new Map<ArrayBufferView, GPUBuffer>();
  private readonly debugChecks: Promise<void>[] = [];
  private readonly scopeChecks: Promise<GPUError | null>[] = [];
  private readonly pipelineChecks = new Set<Promise<GpuError | null>>();
  private scopeDepth = 0;
  private state: 'recording' | 'submitted' | 'abandoned' = 'recording';
  /** Kernel dispatches recorded so far (empty dispatches included). */
  dispatches = 0;

  constructor(
    /** The device the batch records for (stages read its limits and features). */
    readonly device: GPUDevice,
    private readonly pool: BufferPool,
    private readonly debug: boolean,
    private readonly label = 'wgcam',
  ) {
    this.encoder = this.scoped(() => device.createCommandEncoder({ label }));
  }

  /**
   * Runs `work` (synchronous GPU calls that belong to this batch, e.g. creating or
   * writing its outputs) inside the batch's error scopes; its GPU errors fail `checked()`.
   */
  scoped<T>(work: () => T): T {
    if (this.scopeDepth > 0) return work();
    pushScopes(this.device);
    this.scopeDepth += 1;
    try {
      return work();
    } finally {
      this.scopeDepth -= 1;
      const popped = popScopes(this.device);
      this.scopeChecks.push(popped);
    }
  }

  /** A pooled buffer that lives until this batch is submitted or abandoned. */
  temporary(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    this.assertRecording();
    return this.scoped(() => {
      const buffer = this.pool.acquire(size, usage, label);
      this.temporaries.push(buffer);
      return buffer;
    });
  }

  /**
   * upload, once per array in this batch: the same array again gives the same buffer (the
   * inputs several methods of one batch read, such as activations, gradients, an overlay image).
   */
  uploadOnce(data: ArrayBufferView, label: string): GPUBuffer {
    let buffer = this.uploaded.get(data);
    if (!buffer) this.uploaded.set(data, (buffer = this.upload(data, label)));
    return buffer;
  }

  /** Copies `data` into a temporary storage buffer (queued before this batch's submit). */
  upload(data: ArrayBufferView, label: string): GPUBuffer {
    return this.scoped(() => {
      const buffer = this.temporary(data.byteLength, BufferUsage.STORAGE | BufferUsage.COPY_DST, label);
      this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
      return buffer;
    });
  }

  /** The encoder for non-compute commands (copies, clears); ends the open compute pass. */
  commands(): GPUCommandEncoder {
    this.assertRecording();
    this.endPass();
    return this.encoder;
  }

  run(call: KernelCall): void {
    this.assertRecording();
    this.scoped(() => this.record(call));
  }

  private record(call: KernelCall): void {
    if (this.debug) this.pushKernelScopes();
    try {
      const { pipeline, layout, problem } = getPipeline(this.device, call.kernel, call.overrides ?? {});
      this.pipelineChecks.add(problem);
      const packed = packParams(call.kernel, call.params);
      const buffers = KERNELS[call.kernel].bindings.map((binding) => {
        const buffer = call.buffers[binding.name];
        if (!buffer) throw new Error(`${call.kernel}: no buffer for binding '${binding.name}'`);
        return buffer;
      });
      const [x, y] = foldWorkgroups(call.workgroups, this.device.limits.maxComputeWorkgroupsPerDimension);
      // Parameters and bind groups repeat from call to call: reuse them rather than create them per dispatch.
      const bindings = this.pool.bindings;
      const bindGroup = bindings.bindGroup(layout, [bindings.uniform(call.kernel, packed), ...buffers], call.kernel);
      if (!this.pass) this.pass = this.encoder.beginComputePass({ label: this.label });
      this.pass.setPipeline(pipeline);
      this.pass.setBindGroup(0, bindGroup);
      if (x > 0) this.pass.dispatchWorkgroups(x, y);
      this.dispatches++;
      if (this.debug) this.flush();
    } finally {
      if (this.debug) this.popKernelScopes(call.kernel);
    }
  }

  /** Submits everything recorded and returns the temporaries to the pool (also when the submit throws). */
  submit(): void {
    if (this.state !== 'recording') throw new Error(`CommandBatch ${this.state === 'submitted' ? 'submitted twice' : 'submitted after it was abandoned'}`);
    this.state = 'submitted';
    try {
      this.scoped(() => this.flush(false));
    } finally {
      this.releaseTemporaries();
    }
  }

  /**
   * Drops what was recorded after an error: the temporaries go back to the pool (the
   * failed recording's own error is the one to report). Does nothing once submitted or
   * abandoned.
   */
  abandon(): void {
    if (this.state !== 'recording') return;
    this.state = 'abandoned';
    this.pass = null; // the encoder is dropped unfinished
    this.releaseTemporaries();
  }

  /**
   * Records `record`'s work and submits it inside this batch's error scopes: the one
   * submit of a session step. A failed recording gives back what it acquired, once, and
   * its error is rethrown; otherwise the batch's GPU check (see `checked`) is returned.
   */
  submitScoped(record: (batch: CommandBatch) => void): Promise<void> {
    try {
      this.scoped(() => {
        record(this);
        this.submit();
      });
    } catch (error) {
      this.abandon();
      throw error;
    }
    return this.checked();
  }

  /**
   * Resolves when this batch's work raised no GPU error; rejects with a GpuError (naming
   * the kernel in debug mode). An invalid kernel (its shader module or pipeline) is the
   * root cause of any other error of the batch, so it is the one reported, naming the
   * kernel in any mode. The promise is marked handled, so a result nobody reads does not
   * surface as an unhandled rejection.
   */
  checked(): Promise<void> {
    const label = this.label;
    const check = (async () => {
      const invalid = (await Promise.all(this.pipelineChecks)).find((e) => e !== null);
      if (invalid) throw invalid;
      await Promise.all(this.debugChecks);
      const errors = await Promise.all(this.scopeChecks);
      const error = errors.find((e) => e !== null);
      if (error) throw new GpuError(`GPU ${describeError(error)} (in ${label})`);
    })();
    check.catch(() => undefined);
    return check;
  }

  private assertRecording(): void {
    if (this.state !== 'recording') throw new Error(`CommandBatch used after it was ${this.state}`);
  }

  private releaseTemporaries(): void {
    const buffers = this.temporaries.splice(0);
    for (const buffer of buffers) this.pool.release(buffer);
    this.pool.bindings.trim();
  }

  private endPass(): void {
    if (this.pass) {
      const pass = this.pass;
      this.pass = null;
      pass.end();
    }
  }

  /** Submits what was recorded; with `more` (debug mode's per-kernel submits), opens a new encoder for what follows. */
  private flush(more = true): void {
    this.endPass();
    const commands = this.encoder.finish();
    if (more) this.encoder = this.device.createCommandEncoder({ label: this.label });
    this.device.queue.submit([commands]);
  }

  private pushKernelScopes(): void {
    this.device.pushErrorScope('validation');
    this.device.pushErrorScope('out-of-memory');
  }

  private popKernelScopes(kernel: string): void {
    const memory = this.device.popErrorScope().catch(() => null);
    const validation = this.device.popErrorScope().catch(() => null);
    const check = Promise.all([memory, validation]).then(([oom, invalid]) => {
      const error = oom ?? invalid;
      if (error) throw new GpuError(`kernel ${kernel}: ${error.message}`);
    });
    check.catch(() => undefined);
    this.debugChecks.push(check);
  }
}
